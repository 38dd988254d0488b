/**
 * Loads the small hand-written WebAssembly SIMD modules besides the GEMM (src/wasm/<name>.wat,
 * embedded base64 in <name>-bytes.ts): compiled synchronously at import, each with its own
 * memory, grown on demand and never shrunk. Null where the engine lacks WebAssembly or SIMD, so
 * callers keep their JavaScript path.
 */
import { detectWasmSimd } from './gemm-wasm.js';

/** The slice of the WebAssembly JS API used here, typed locally (no DOM typings in this package). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** 2 GiB: byte addresses stay within i32 arithmetic. */
const MAX_BYTES = 2 ** 31;

export class SimdModule {
  readonly #memory: WasmMemory;
  readonly exports: Record<string, unknown>;
  /** The module's memory as float32 (replaced when the memory grows). */
  f32: Float32Array;
  /** The module's memory as int32 (replaced when the memory grows). */
  i32: Int32Array;

  constructor(exports: Record<string, unknown>) {
    this.exports = exports;
    this.#memory = exports.memory as WasmMemory;
    this.f32 = new Float32Array(this.#memory.buffer);
    this.i32 = new Int32Array(this.#memory.buffer);
  }

  /** Grow the memory to at least `bytes`; false (nothing changed) above 2 GiB. */
  reserve(bytes: number): boolean {
    if (bytes > MAX_BYTES) return false;
    const have = this.#memory.buffer.byteLength;
    if (have < bytes) {
      this.#memory.grow(Math.ceil((bytes - have) / 65536));
      this.f32 = new Float32Array(this.#memory.buffer);
      this.i32 = new Int32Array(this.#memory.buffer);
    }
    return true;
  }
}

/** The module whose bytes are `base64`, or null where WebAssembly SIMD is unavailable. */
export function loadSimdModule(base64: string): SimdModule | null {
  const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (WA === undefined || !detectWasmSimd()) return null;
  try {
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new SimdModule(new WA.Instance(new WA.Module(bytes), {}).exports);
  } catch {
    return null;
  }
}

/** Rounds a byte address up to a multiple of 16. */
export const align16 = (n: number): number => (n + 15) & ~15;
