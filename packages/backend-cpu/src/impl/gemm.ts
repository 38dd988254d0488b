/**
 * The GEMM every float32 matmul, linear and convolution goes through: C (+)= A @ B.
 *
 * Uses the WebAssembly SIMD kernel (gemm-wasm.ts) when the engine validates WebAssembly SIMD, and
 * the blocked JavaScript GEMM (gemm-js.ts) otherwise; the JavaScript one is also the reference
 * the tests compare against. `FLINT_CPU_GEMM=js` in the environment forces the fallback (for
 * comparisons); `setGemmImpl` switches at run time (tests, benchmarks).
 */
import { gemmJs, type MatrixView } from './gemm-js.js';
import { gemmWasm, wasmSimdAvailable } from './gemm-wasm.js';

export type { MatrixView };
export type GemmImpl = 'wasm-simd' | 'js';

function initialImpl(): GemmImpl {
  const env = typeof process === 'object' ? process.env?.FLINT_CPU_GEMM : undefined;
  return wasmSimdAvailable && env !== 'js' ? 'wasm-simd' : 'js';
}

let current: GemmImpl = initialImpl();

/** The implementation `gemm` uses now. */
export function gemmImpl(): GemmImpl {
  return current;
}

/** Select the implementation; 'wasm-simd' throws where WebAssembly SIMD is unavailable. Returns the previous one. */
export function setGemmImpl(impl: GemmImpl): GemmImpl {
  if (impl === 'wasm-simd' && !wasmSimdAvailable) throw new Error('WebAssembly SIMD is not available in this engine');
  const prev = current;
  current = impl;
  return prev;
}

/**
 * C[cOff + i*ldc + j] (+)= sum_k A(i,k) * B(k,j) for i < M, j < N, A and B read through
 * arbitrary non-negative (row, column) strides. With `accumulate` false the destination block is
 * overwritten.
 */
export function gemm(
  M: number,
  N: number,
  K: number,
  a: MatrixView,
  b: MatrixView,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): void {
  if (current === 'wasm-simd' && gemmWasm(M, N, K, a, b, c, cOff, ldc, accumulate)) return;
  gemmJs(M, N, K, a, b, c, cOff, ldc, accumulate);
}
