/** Test helpers for the two GEMM implementations. */
import { afterAll, beforeAll } from 'vitest';
import { setGemmImpl, type GemmImpl } from './gemm.js';
import { wasmSimdAvailable } from './gemm-wasm.js';

/** The implementations to run the GEMM-backed tests under (both wherever WebAssembly SIMD loads). */
export const gemmImpls: GemmImpl[] = wasmSimdAvailable ? ['wasm-simd', 'js'] : ['js'];

/** Make the enclosing describe block run with `impl` (restored afterwards). */
export function useGemm(impl: GemmImpl): void {
  let prev: GemmImpl;
  beforeAll(() => {
    prev = setGemmImpl(impl);
  });
  afterAll(() => {
    setGemmImpl(prev);
  });
}
