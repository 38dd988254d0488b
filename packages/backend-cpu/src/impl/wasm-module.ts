/**
 * Loads the small hand-written WebAssembly SIMD modules besides the GEMM (src/wasm/<name>.wat,
 * embedded base64 in <name>-bytes.ts), compiled synchronously at import. Each imports its memory:
 * the storage heap's (src/impl/heap.ts) where there is one, so operands that live in the heap
 * are passed by address, with each module's scratch a block of the heap; else a memory of its
 * own, grown on demand and never shrunk, scratch at address 0 (every operand is copied in).
 * Null where the engine lacks WebAssembly or SIMD, so callers keep their JavaScript path.
 */
import type { DataArray } from '@flint/core/backend';
import { detectWasmSimd } from './gemm-wasm.js';
import { heap } from './heap.js';

/** The slice of the WebAssembly JS API used here, typed locally (no DOM typings in this package). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

/** 2 GiB: byte addresses stay within i32 arithmetic. */
const MAX_BYTES = 2 ** 31;

export class SimdModule {
  readonly #memory: WasmMemory;
  readonly exports: Record<string, unknown>;
  /** The memory as float32 (replaced when a private memory grows). */
  f32: Float32Array;
  /** The memory as int32 (replaced when a private memory grows). */
  i32: Int32Array;
  /** Byte address of this module's scratch region (see reserve). */
  base = 0;
  #scratchBytes = 0;
  /** Whether the memory is the storage heap's: operands in it are passed by address. */
  readonly inHeap: boolean;

  constructor(exports: Record<string, unknown>, memory: WasmMemory) {
    this.exports = exports;
    this.#memory = memory;
    this.inHeap = heap !== null && memory === heap.memory;
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
  }

  /**
   * Make the scratch region [base, base + bytes) available (base may move; its contents do
   * not survive a move); false (nothing changed) when it cannot: above 2 GiB, or the heap is full.
   */
  reserve(bytes: number): boolean {
    if (bytes > MAX_BYTES) return false;
    if (heap !== null && this.inHeap) {
      if (bytes <= this.#scratchBytes) return true;
      // grown by half again at least, so a slowly rising size does not move it every call
      const want = Math.max(bytes, Math.floor(this.#scratchBytes * 1.5));
      if (this.#scratchBytes > 0) heap.free(this.base);
      this.#scratchBytes = 0;
      let size = want;
      let at = heap.alloc(size);
      if (at < 0 && want > bytes) {
        size = bytes;
        at = heap.alloc(size);
      }
      if (at < 0) return false;
      this.base = at;
      this.#scratchBytes = size;
      return true;
    }
    const have = this.#memory.buffer.byteLength;
    if (have < bytes) {
      this.#memory.grow(Math.ceil((bytes - have) / 65536));
      this.f32 = new Float32Array(this.#memory.buffer);
      this.i32 = new Int32Array(this.#memory.buffer);
    }
    return true;
  }

  /** Whether `a` lies in this module's memory (the heap): its byte address is a.byteOffset. */
  holds(a: DataArray): boolean {
    return this.inHeap && a.buffer === this.#memory.buffer;
  }

  /**
   * Whether `a` is a whole heap block, so a loop may write it in place, padding lanes included
   * (up to the next multiple of 16 bytes).
   */
  owns(a: DataArray): boolean {
    return this.inHeap && heap!.owns(a);
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
    const memory = heap?.memory ?? new WA.Memory({ initial: 1 });
    return new SimdModule(new WA.Instance(new WA.Module(bytes), { env: { memory } }).exports, memory);
  } catch {
    return null;
  }
}

/** Rounds a byte address up to a multiple of 16. */
export const align16 = (n: number): number => (n + 15) & ~15;
