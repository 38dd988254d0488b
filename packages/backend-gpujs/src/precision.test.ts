// Precision of large float32 reductions (issue 9): each result within 1e-6 relative of a float64
// reference computed from the very float32 inputs, on both engines. A running float32 sum over a
// 4096-element chunk (the reduction before compensation) misses this by an order of magnitude.
// Also log1p near 0, whose cancellation trick the GL shader compiler defeated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@flint/conformance';
import type { DType, Shape } from '@flint/core/backend';
import { createGpujsBackend, type GpujsBackend, type GpuStorage } from './index.js';

const ref = (storage: GpuStorage, shape: Shape, dtype: DType = 'float32') => ({ storage, shape, dtype });
const RTOL = 1e-6;
const MILLION = 1_000_000;
const POINT3 = Math.fround(0.3);

function uniform(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.next());
}

/** Float64 sum of f(0..n-1), Neumaier-compensated so that it is exact enough to be the reference. */
function exactSum(n: number, f: (i: number) => number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = f(i);
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

const relErr = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

describe.each([['headlessgl'], ['webasm']] as const)('reductions over 1e6 elements on %s', (mode) => {
  let b: GpujsBackend;
  beforeAll(() => {
    b = createGpujsBackend({ mode, quiet: true });
    expect(b.engine()).toBe(mode);
  });
  afterAll(() => b.destroy());

  const scalar = (s: GpuStorage) => b.kernels.readSync(ref(s, []))[0]!;
  const upload = (data: Float32Array, shape: Shape = [data.length]) => b.kernels.write(data, shape, 'float32');

  it('sum of 1e6 copies of 0.3', () => {
    const x = upload(new Float32Array(MILLION).fill(POINT3));
    expect(relErr(scalar(b.kernels.sum(ref(x, [MILLION]), [0])), MILLION * POINT3)).toBeLessThanOrEqual(RTOL);
  });

  it('sum of 1e6 uniform [0, 1) values, over all elements and over dim 0 of [500000, 2]', () => {
    const data = uniform(MILLION, 1);
    const x = upload(data, [MILLION / 2, 2]);
    const total = scalar(b.kernels.sum(ref(x, [MILLION / 2, 2]), [0, 1]));
    expect(
      relErr(
        total,
        exactSum(MILLION, (i) => data[i]!),
      ),
    ).toBeLessThanOrEqual(RTOL);
    const cols = b.kernels.readSync(ref(b.kernels.sum(ref(x, [MILLION / 2, 2]), [0]), [2]));
    for (let j = 0; j < 2; j++) {
      expect(
        relErr(
          cols[j]!,
          exactSum(MILLION / 2, (i) => data[2 * i + j]!),
        ),
      ).toBeLessThanOrEqual(RTOL);
    }
  });

  it('mean of 131,072 copies of 0.3, and the std of that constant tensor is ~0', () => {
    const k = b.kernels;
    const n = 131_072;
    const X = ref(upload(new Float32Array(n).fill(POINT3)), [n]);
    const count = (v: number) => ref(k.fill([], 'float32', v), []);
    // mean and unbiased variance as core composes them: sum / n, sum((x - mean)^2) / (n - 1).
    const mean = k.div(ref(k.sum(X, [0]), []), count(n), []);
    expect(relErr(scalar(mean), POINT3)).toBeLessThanOrEqual(RTOL);
    const centered = k.sub(X, ref(mean, []), [n]);
    const variance = k.div(ref(k.sum(ref(k.square!(ref(centered, [n])), [n]), [0]), []), count(n - 1), []);
    expect(Math.sqrt(scalar(variance))).toBeLessThanOrEqual(RTOL * POINT3);
  });

  it('matmul [1, 1e6] x [1e6, 1] (K = 1e6), and its transposed-operand layout', () => {
    const k = b.kernels;
    const a = uniform(MILLION, 2);
    const w = uniform(MILLION, 3);
    const want = exactSum(MILLION, (i) => a[i]! * w[i]!);
    const A = upload(a, [1, MILLION]);
    const W = upload(w, [MILLION, 1]);
    expect(
      relErr(scalar(k.matmul(ref(A, [1, MILLION]), ref(W, [MILLION, 1]), false, false, [1, 1])), want),
    ).toBeLessThanOrEqual(RTOL);
    // a^T with a stored as [1e6, 1], b^T with b stored as [1, 1e6]: the same dot product, other strides.
    const At = ref(A, [MILLION, 1]);
    const Wt = ref(W, [1, MILLION]);
    expect(relErr(scalar(k.matmul(At, Wt, true, true, [1, 1])), want)).toBeLessThanOrEqual(RTOL);
  });

  it('log1p keeps its relative accuracy near 0', () => {
    const xs = [1e-10, 1e-7, -1e-5, 1e-3, -0.01, 0.2, -0.2, 0.3, -0.9];
    const x = upload(Float32Array.from(xs));
    const got = b.kernels.readSync(ref(b.kernels.log1p(ref(x, [xs.length])), [xs.length]));
    const errors = xs.map((v, i) => relErr(got[i]!, Math.log1p(Math.fround(v))));
    expect(Math.max(...errors)).toBeLessThanOrEqual(RTOL);
  });
});
