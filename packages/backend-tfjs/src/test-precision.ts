/**
 * Precision of long reductions (issue 9): sums, means, std, norms, matmul and linear over up to
 * 1e6 elements through Flint's Tensor API on one tfjs engine, against float64 references computed
 * here from the same float32 inputs. Bound: relative error <= 1e-6. Before the staged sums and the
 * chunked long-K products (summationUtil.ts, matmulUtil.ts), wasm gave e.g. 1.5e-3 for the sum of
 * 1e6 copies of 0.3 and 1.75e-4 for a 1x1e6 @ 1e6x1 product; tfjs's cpu engine 2.1e-6 for that
 * product. Not part of the build (test-* files are excluded).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as flint from '@flint/core';
import { registerBackend } from '@flint/core/backend';
import type { TfjsEngine } from './engine.js';
import { createTfjsBackend } from './index.js';
import { tf } from './tf.js';

const BOUND = 1e-6;
const N = 1_000_000;

/** Deterministic uniform [0, 1) values (xorshift32), rounded to float32. */
function uniform(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 2 ** 32;
  }
  return out;
}

function sum64(values: ArrayLike<number>, from = 0, to = values.length, stride = 1): number {
  let s = 0;
  for (let i = from; i < to; i += stride) s += values[i]!;
  return s;
}

function relError(got: number, want: number): number {
  return Math.abs(got - want) / Math.abs(want);
}

/** Largest relative error of `got` against `want`, element by element. */
function worstRelError(got: ArrayLike<number>, want: readonly number[]): number {
  expect(got.length).toBe(want.length);
  return want.reduce((worst, w, i) => Math.max(worst, relError(got[i]!, w)), 0);
}

/** float64 reference of batched a @ b (row-major [nb, m, k] and [nb, k, n]). */
function matmul64(a: Float32Array, b: Float32Array, nb: number, m: number, k: number, n: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < nb; p++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[(p * m + i) * k + q]! * b[(p * k + q) * n + j]!;
        out.push(s);
      }
    }
  }
  return out;
}

/** Row-major transpose of the last two dims of [nb, r, c]. */
function transposeLast(x: Float32Array, nb: number, r: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let p = 0; p < nb; p++)
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[(p * c + j) * r + i] = x[(p * r + i) * c + j]!;
  return out;
}

export function describePrecision(engine: TfjsEngine): void {
  const backend = createTfjsBackend({ engine });
  const t = (values: Float32Array, shape: number[]) => flint.fromArray(values, shape, { device: 'tfjs' });
  const flat = (x: flint.Tensor) => Array.from(x.dataSync());
  // Each case in a Flint tidy scope, so its 1e6-element tensors are freed when it ends.
  const check = (name: string, body: () => void) => it(name, () => flint.tidy(body));

  describe(`long reductions on tfjs/${engine}: relative error <= ${BOUND} against float64`, () => {
    beforeAll(async () => {
      await backend.init();
      registerBackend(backend);
      expect(tf.getBackend()).toBe(engine);
    });

    check('sum of 1e6 copies of 0.3', () => {
      const x = new Float32Array(N).fill(0.3);
      expect(relError(t(x, [N]).sum().item(), sum64(x))).toBeLessThanOrEqual(BOUND);
    });

    check('sum of 1e6 uniform values', () => {
      const x = uniform(N, 1);
      expect(relError(t(x, [N]).sum().item(), sum64(x))).toBeLessThanOrEqual(BOUND);
    });

    check('mean of 131,072 copies of 0.3, and the std of that constant tensor is ~0', () => {
      const x = new Float32Array(131_072).fill(0.3);
      const tensor = t(x, [131_072]);
      expect(relError(tensor.mean().item(), sum64(x) / x.length)).toBeLessThanOrEqual(BOUND);
      expect(tensor.std().item()).toBeLessThanOrEqual(BOUND * 0.3);
      expect(tensor.var().item()).toBeLessThanOrEqual((BOUND * 0.3) ** 2);
    });

    check('mean of a [1000, 1000] uniform tensor over both axes', () => {
      const x = uniform(N, 2);
      expect(relError(t(x, [1000, 1000]).mean().item(), sum64(x) / N)).toBeLessThanOrEqual(BOUND);
    });

    check(
      'sums over a leading axis ([500000, 2] over dim 0) and over outer axes ([100, 100, 100] over dims 0 and 2)',
      () => {
        const c = new Float32Array(N).fill(0.7);
        const cols = flat(t(c, [500_000, 2]).sum(0));
        expect(worstRelError(cols, [sum64(c, 0, N, 2), sum64(c, 1, N, 2)])).toBeLessThanOrEqual(BOUND);
        const x = uniform(N, 3);
        const want = Array.from({ length: 100 }, (_, j) => {
          let s = 0;
          for (let i = 0; i < 100; i++) for (let k = 0; k < 100; k++) s += x[(i * 100 + j) * 100 + k]!;
          return s;
        });
        expect(worstRelError(flat(t(x, [100, 100, 100]).sum([0, 2])), want)).toBeLessThanOrEqual(BOUND);
      },
    );

    check('2-norm of 1e6 uniform values, and the sum of a length that is no power of the block (999,983)', () => {
      const x = uniform(N, 4);
      const squares = Array.from(x, (v) => v * v);
      expect(relError(t(x, [N]).norm().item(), Math.sqrt(sum64(squares)))).toBeLessThanOrEqual(BOUND);
      const odd = new Float32Array(999_983).fill(1.1);
      expect(relError(t(odd, [odd.length]).sum().item(), sum64(odd))).toBeLessThanOrEqual(BOUND);
    });

    check(
      'matmul [1, 1e6] @ [1e6, 1] of uniform values (also with the second operand transposed) and of constants',
      () => {
        const a = uniform(N, 1);
        const b = uniform(N, 2);
        const want = matmul64(a, b, 1, 1, N, 1);
        expect(worstRelError(flat(t(a, [1, N]).matmul(t(b, [N, 1]))), want)).toBeLessThanOrEqual(BOUND);
        expect(worstRelError(flat(t(a, [1, N]).matmul(t(b, [1, N]).t())), want)).toBeLessThanOrEqual(BOUND);
        const c3 = new Float32Array(N).fill(0.3);
        const c7 = new Float32Array(N).fill(0.7);
        const product = flat(t(c3, [1, N]).matmul(t(c7, [N, 1])));
        expect(worstRelError(product, matmul64(c3, c7, 1, 1, N, 1))).toBeLessThanOrEqual(BOUND);
      },
    );

    check('batched matmul [2, 3, K] @ [2, K, 2] with a prime K (100,003), plain and with transposed operands', () => {
      const k = 100_003;
      const a = Float32Array.from(uniform(2 * 3 * k, 7), (v) => 0.5 + v);
      const b = new Float32Array(2 * k * 2).fill(0.3);
      const want = matmul64(a, b, 2, 3, k, 2);
      expect(worstRelError(flat(t(a, [2, 3, k]).matmul(t(b, [2, k, 2]))), want)).toBeLessThanOrEqual(BOUND);
      // The same products from operands stored transposed: A^T^T @ (B^T)^T.
      const aT = t(transposeLast(a, 2, 3, k), [2, k, 3]).transpose(1, 2);
      const bT = t(transposeLast(b, 2, k, 2), [2, 2, k]).transpose(1, 2);
      expect(worstRelError(flat(aT.matmul(bT)), want)).toBeLessThanOrEqual(BOUND);
    });

    check('matrix-vector [64, 20000] @ [20000] of rows of one value each', () => {
      const k = 20_000;
      const rows = uniform(64, 8);
      const a = new Float32Array(64 * k);
      for (let i = 0; i < 64; i++) a.fill(0.1 + rows[i]!, i * k, (i + 1) * k);
      const v = new Float32Array(k).fill(0.3);
      const want = matmul64(a, v, 1, 64, k, 1);
      expect(worstRelError(flat(t(a, [64, k]).matmul(t(v, [k]))), want)).toBeLessThanOrEqual(BOUND);
    });

    check('linear: [3, 200000] -> 2 with bias', () => {
      const k = 200_000;
      const x = uniform(3 * k, 9);
      const w = uniform(2 * k, 10);
      const bias = new Float32Array([0.25, -0.5]);
      const want = matmul64(x, transposeLast(w, 1, 2, k), 1, 3, k, 2).map((v, i) => v + bias[i % 2]!);
      const got = flint.nn.functional.linear(t(x, [3, k]), t(w, [2, k]), t(bias, [2]));
      expect(worstRelError(flat(got), want)).toBeLessThanOrEqual(BOUND);
    });

    check('logSoftmax along a 500,000-long axis: within 2 float32 ulps of float64 (|values| ~13)', () => {
      const n = 500_000;
      const x = uniform(2 * n, 12);
      const want: number[] = [];
      for (let r = 0; r < 2; r++) {
        const row = x.subarray(r * n, (r + 1) * n);
        const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
        const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
        for (const v of row) want.push(v - lse);
      }
      const got = flat(flint.nn.functional.logSoftmax(t(x, [2, n]), 1));
      const worst = want.reduce((w, v, i) => Math.max(w, Math.abs(got[i]! - v)), 0);
      expect(worst).toBeLessThanOrEqual(2 * 2 ** -23 * 16);
    });

    it('the staged sums and chunked products leave no tf.Tensor behind', () => {
      const x = t(uniform(N, 11), [1000, 1000]);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const row = x.reshape([1, N]);
        const column = x.reshape([N, 1]);
        for (const r of [x.sum(), x.sum(0), x.sum(1, true), row.matmul(column), row, column]) r.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  });
}
