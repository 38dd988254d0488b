/**
 * Float32 GEMM on WebAssembly SIMD: C (+)= A @ B, the same interface as the JavaScript `gemmJs`.
 *
 * The kernel is hand-written WebAssembly text (src/wasm/gemm.wat: Goto/BLIS blocking, A packed
 * into 4-row and B into 8-column micro-panels, a 4x8 f32x4 micro-kernel); its assembled bytes are
 * embedded in src/wasm/gemm-bytes.ts and compiled synchronously when this module is imported.
 *
 * The module owns one WebAssembly.Memory, grown on demand and never shrunk. A call copies the
 * span of A and of B that the views touch into it (a memcpy each; packing then happens inside
 * the module), zeroes or copies in C, runs, and copies C out. Strides are passed through, so
 * transposed operands cost nothing extra. Steady state allocates nothing on the JS side.
 *
 * Accumulation is float32 (as BLAS does), where gemmJs accumulates each 256-deep slice in
 * float64: results agree to float32 rounding, |error| <= ~K * 2^-24 * sum_k |A(i,k) B(k,j)|.
 */
import { gemmWasmBase64 } from '../wasm/gemm-bytes.js';
import type { MatrixView } from './gemm-js.js';

/**
 * The slice of the WebAssembly JS API used here, typed locally: the package compiles against
 * lib ES2022 (no DOM typings), and a global declaration could clash with a consumer's DOM lib.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** A tiny module using a v128 instruction (i8x16.splat + i8x16.popcnt): validates iff SIMD does. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** Whether this engine validates WebAssembly SIMD (false where WebAssembly is missing altogether). */
export function detectWasmSimd(): boolean {
  try {
    return WA !== undefined && WA.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

type GemmExport = (
  M: number, N: number, K: number,
  a: number, ars: number, acs: number,
  b: number, brs: number, bcs: number,
  c: number, ldc: number,
  pA: number, pB: number, tile: number,
  MC: number, KC: number, NC: number,
) => void;

interface Instance {
  memory: WasmMemory;
  gemm: GemmExport;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function instantiate(): Instance | null {
  if (WA === undefined || !detectWasmSimd()) return null;
  try {
    const module = new WA.Module(decodeBase64(gemmWasmBase64));
    const exports = new WA.Instance(module, {}).exports;
    return { memory: exports['memory'] as WasmMemory, gemm: exports['gemm'] as GemmExport };
  } catch {
    return null;
  }
}

const instance = instantiate();

/** Whether the WebAssembly SIMD GEMM loaded in this engine (`gemmWasm` throws otherwise). */
export const wasmSimdAvailable: boolean = instance !== null;

/** Cache blocking (elements): MC rows of A (multiple of 4), KC deep, NC columns of B (multiple of 8). */
const blocking = { MC: 64, KC: 256, NC: 2048 };

/** Tune the cache blocking (benchmarks); returns the previous setting. */
export function setWasmGemmBlocking(next: { MC?: number; KC?: number; NC?: number }): { MC: number; KC: number; NC: number } {
  const prev = { ...blocking };
  const MC = next.MC ?? blocking.MC;
  const KC = next.KC ?? blocking.KC;
  const NC = next.NC ?? blocking.NC;
  if (!(MC >= 4 && MC % 4 === 0 && KC >= 1 && NC >= 8 && NC % 8 === 0)) throw new Error(`bad GEMM blocking ${MC}/${KC}/${NC}`);
  Object.assign(blocking, { MC, KC, NC });
  return prev;
}

/** Wasm memory is addressed with i32 arithmetic: keep every call's working set below 2 GiB. */
const MAX_BYTES = 2 ** 31;
const TILE_BYTES = 128;

let heap: Float32Array = instance !== null ? new Float32Array(instance.memory.buffer) : new Float32Array(0);

const align16 = (n: number): number => (n + 15) & ~15;

/** Elements spanned by a rows x cols view with non-negative strides. */
const span = (rows: number, cols: number, v: MatrixView): number => (rows - 1) * v.rs + (cols - 1) * v.cs + 1;

/** Bytes of wasm memory a call needs, or -1 when it cannot run there (negative strides, > 2 GiB). */
function layout(M: number, N: number, K: number, a: MatrixView, b: MatrixView): number {
  if (a.rs < 0 || a.cs < 0 || b.rs < 0 || b.cs < 0) return -1;
  const mc = Math.min(blocking.MC, Math.ceil(M / 4) * 4);
  const kc = Math.min(blocking.KC, K);
  const nc = Math.min(blocking.NC, Math.ceil(N / 8) * 8);
  pA = TILE_BYTES;
  pB = align16(pA + mc * kc * 4);
  aPtr = align16(pB + nc * kc * 4);
  bPtr = align16(aPtr + span(M, K, a) * 4);
  cPtr = align16(bPtr + span(K, N, b) * 4);
  const end = cPtr + M * N * 4;
  return end <= MAX_BYTES ? end : -1;
}
let pA = 0;
let pB = 0;
let aPtr = 0;
let bPtr = 0;
let cPtr = 0;

/**
 * C[cOff + i*ldc + j] (+)= sum_k A(i,k) * B(k,j) for i < M, j < N, with A and B read through
 * their (row, column) strides. With `accumulate` false the destination block is overwritten.
 * Returns false (doing nothing) when the call cannot run in wasm memory: negative strides or a
 * working set over 2 GiB; the caller then uses gemmJs.
 */
export function gemmWasm(
  M: number,
  N: number,
  K: number,
  a: MatrixView,
  b: MatrixView,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): boolean {
  if (instance === null) throw new Error('WebAssembly SIMD is not available in this engine');
  if (M === 0 || N === 0) return true;
  if (K === 0) {
    if (!accumulate) for (let i = 0; i < M; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    return true;
  }
  const end = layout(M, N, K, a, b);
  if (end < 0) return false;
  if (instance.memory.buffer.byteLength < end) {
    instance.memory.grow(Math.ceil((end - instance.memory.buffer.byteLength) / 65536));
    heap = new Float32Array(instance.memory.buffer);
  }
  heap.set(a.data.subarray(a.offset, a.offset + span(M, K, a)), aPtr >> 2);
  heap.set(b.data.subarray(b.offset, b.offset + span(K, N, b)), bPtr >> 2);
  const c0 = cPtr >> 2;
  const contiguous = ldc === N;
  if (!accumulate) heap.fill(0, c0, c0 + M * N);
  else if (contiguous) heap.set(c.subarray(cOff, cOff + M * N), c0);
  else for (let i = 0; i < M; i++) heap.set(c.subarray(cOff + i * ldc, cOff + i * ldc + N), c0 + i * N);
  instance.gemm(M, N, K, aPtr, a.rs, a.cs, bPtr, b.rs, b.cs, cPtr, N, pA, pB, 0, blocking.MC, blocking.KC, blocking.NC);
  if (contiguous) c.set(heap.subarray(c0, c0 + M * N), cOff);
  else for (let i = 0; i < M; i++) c.set(heap.subarray(c0 + i * N, c0 + i * N + N), cOff + i * ldc);
  return true;
}

/** Bytes of wasm memory currently reserved by the GEMM (it grows on demand, never shrinks). */
export function wasmGemmMemoryBytes(): number {
  return instance === null ? 0 : instance.memory.buffer.byteLength;
}
