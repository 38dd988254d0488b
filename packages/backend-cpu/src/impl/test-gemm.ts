/** Test helpers for the two GEMM implementations. */
import { afterAll, beforeAll, expect } from 'vitest';
import { setGemmImpl, type GemmImpl } from './gemm.js';
import type { gemmJs, MatrixView } from './gemm-js.js';
import { wasmSimdAvailable } from './gemm-wasm.js';
import { randF32, rng } from './test-reference.js';

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

export type Gemm = typeof gemmJs;

/** One GEMM problem: views with offsets, row/column strides (transposes), a padded destination. */
export interface Problem {
  M: number;
  N: number;
  K: number;
  a: MatrixView;
  b: MatrixView;
  c: Float32Array;
  cOff: number;
  ldc: number;
  accumulate: boolean;
}

export function problem(
  M: number,
  N: number,
  K: number,
  tA: boolean,
  tB: boolean,
  seed: number,
  opts: { pad?: number; accumulate?: boolean } = {},
): Problem {
  const pad = opts.pad ?? 0;
  const r = rng(seed);
  const aOff = Math.floor(r() * 5);
  const bOff = Math.floor(r() * 5);
  const cOff = pad > 0 ? Math.floor(r() * 5) : 0;
  const ldc = N + pad;
  const a: MatrixView = { data: randF32(aOff + M * K, seed + 1), offset: aOff, rs: tA ? 1 : K, cs: tA ? M : 1 };
  const b: MatrixView = { data: randF32(bOff + K * N, seed + 2), offset: bOff, rs: tB ? 1 : N, cs: tB ? K : 1 };
  const c = randF32(cOff + Math.max(0, M - 1) * ldc + N + pad, seed + 3);
  return { M, N, K, a, b, c, cOff, ldc, accumulate: opts.accumulate ?? false };
}

/** Run `impl` on a copy of the problem's destination. */
export function run(impl: Gemm, p: Problem): Float32Array {
  const c = p.c.slice();
  impl(p.M, p.N, p.K, p.a, p.b, c, p.cOff, p.ldc, p.accumulate);
  return c;
}

export const at = (v: MatrixView, i: number, j: number): number => v.data[v.offset + i * v.rs + j * v.cs]!;

/**
 * Check `c` against a float64 reference: every C element within the float32 error bound of a
 * length-K dot product in any summation order, (K + 2) * 2^-23 * (|c0| + sum_k |a b|) (twice
 * the classic gamma bound), and every element outside the M x N block untouched.
 */
export function expectMatches(p: Problem, c: Float32Array): void {
  const inBlock = new Uint8Array(c.length);
  for (let i = 0; i < p.M; i++)
    for (let j = 0; j < p.N; j++) {
      const idx = p.cOff + i * p.ldc + j;
      inBlock[idx] = 1;
      const c0 = p.accumulate ? p.c[idx]! : 0;
      let s = c0;
      let mag = Math.abs(c0);
      for (let k = 0; k < p.K; k++) {
        const t = at(p.a, i, k) * at(p.b, k, j);
        s += t;
        mag += Math.abs(t);
      }
      const tol = (p.K + 2) * 2 ** -23 * mag + 1e-37;
      if (!(Math.abs(c[idx]! - s) <= tol)) expect.fail(`C(${i},${j}) = ${c[idx]}, reference ${s}, tolerance ${tol}`);
    }
  for (let idx = 0; idx < c.length; idx++)
    if (!inBlock[idx] && !Object.is(c[idx], p.c[idx])) expect.fail(`C[${idx}] outside the block was written`);
}
