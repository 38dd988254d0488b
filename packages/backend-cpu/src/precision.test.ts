/**
 * Precision of large reductions (issue 9): every kernel that sums many float32 values (sum over any
 * axis set, matmul / linear over a long K, conv2d's weight gradient over batch and image, scatterAdd
 * with repeated indices) and core's mean / var / std on this backend stay within a relative error
 * of 1e-6 of a float64 reference on 1e6-element inputs. Summed in float32 one after another, 1e6
 * copies of 0.3 are off by ~1e-2 (K slices accumulated in float32: ~1e-4).
 */
import type { Shape, TensorRef } from '@flint/core/backend';
import { full, fromArray, mean, std, variance } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { cpuBackend, kernels as K, type CpuStorage } from './index.js';
import { gemmImpls, useGemm } from './impl/test-gemm.js';
import { rng } from './impl/test-reference.js';

const N = 1_000_000;
/** 2^20, for shapes that want a power of two. */
const N4 = 1024 * 1024;
const TOL = 1e-6;
const x03 = Math.fround(0.3);

const ref = (data: Float32Array | Int32Array, shape: Shape): TensorRef<CpuStorage> => ({
  storage: K.write(data, shape, data instanceof Float32Array ? 'float32' : 'int32'),
  shape,
  dtype: data instanceof Float32Array ? 'float32' : 'int32',
});

const constant = (n: number, v: number): Float32Array => new Float32Array(n).fill(v);

function uniform(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r();
  return a;
}

/** Relative error of every element of `actual` against the float64 `expected`, at most TOL. */
function expectRelClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    worst = Math.max(worst, Math.abs(actual[i]! - e) / Math.abs(e));
  }
  if (!(worst <= TOL)) expect.fail(`${what}: relative error ${worst.toExponential(2)} > ${TOL}`);
}

/** float64 sums of x [outer, n, inner] over the middle axis. */
function refSumMiddle(x: Float32Array, outer: number, n: number, inner: number): Float64Array {
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < n; k++) for (let j = 0; j < inner; j++) out[o * inner + j]! += x[(o * n + k) * inner + j]!;
  return out;
}

const sumAll = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
};

describe('sum over 1e6 elements, float64 reference', () => {
  it('all of 1e6 copies of 0.3 and of 1e6 uniform values', () => {
    for (const [name, x] of [
      ['0.3', constant(N, x03)],
      ['uniform', uniform(N, 1)],
    ] as const) {
      expectRelClose(K.sum(ref(x, [N]), [0]).data, [sumAll(x)], `sum ${name}`);
      expectRelClose(K.sum(ref(x, [1000, 1000]), [0, 1]).data, [sumAll(x)], `sum ${name} [1000,1000] both axes`);
    }
  });

  it('along a strided axis, over strided + contiguous axes, and along the contiguous axis', () => {
    const x = uniform(N, 2);
    // [250000, 4] over axis 0: every output sums 250,000 values 4 apart
    expectRelClose(K.sum(ref(x, [N / 4, 4]), [0]).data, refSumMiddle(x, 1, N / 4, 4), 'sum [250000,4] axis 0');
    // [4, 250000] over axis 1
    expectRelClose(K.sum(ref(x, [4, N / 4]), [1]).data, refSumMiddle(x, 4, N / 4, 1), 'sum [4,250000] axis 1');
    // [500, 4, 500] over axes 0 and 2: every output sums 250,000 values from 500 runs
    const want = new Float64Array(4);
    for (let a = 0; a < 500; a++)
      for (let b = 0; b < 4; b++) for (let c = 0; c < 500; c++) want[b]! += x[(a * 4 + b) * 500 + c]!;
    expectRelClose(K.sum(ref(x, [500, 4, 500]), [0, 2]).data, want, 'sum [500,4,500] axes 0,2');
    const c = constant(N, x03);
    expectRelClose(K.sum(ref(c, [N / 2, 2]), [0]).data, [(N / 2) * x03, (N / 2) * x03], 'sum of 0.3 [500000,2] axis 0');
  });
});

describe.each(gemmImpls)('matmul / linear over a long K (%s gemm)', (impl) => {
  useGemm(impl);

  it('[1, 1e6] @ [1e6, 1] of 0.3 and of uniform values, in every transpose layout', () => {
    for (const [name, a, b] of [
      ['0.3 x 1', constant(N, x03), constant(N, 1)],
      ['0.3 x 0.3', constant(N, x03), constant(N, x03)],
      ['uniform', uniform(N, 3), uniform(N, 4)],
    ] as const) {
      let dot = 0;
      for (let k = 0; k < N; k++) dot += a[k]! * b[k]!;
      for (const tA of [false, true])
        for (const tB of [false, true]) {
          const out = K.matmul(ref(a, tA ? [N, 1] : [1, N]), ref(b, tB ? [1, N] : [N, 1]), tA, tB, [1, 1]);
          expectRelClose(out.data, [dot], `${name} tA=${tA} tB=${tB}`);
        }
    }
  });

  it('dot products of 4096 copies of 50 random constants (float32 sums of 256 terms are 4e-6 off for some)', () => {
    const r = rng(9);
    const ones = constant(4096, 1);
    for (let t = 0; t < 50; t++) {
      const c = Math.fround(r() * 2 ** Math.floor(r() * 16 - 8));
      const out = K.matmul(ref(constant(4096, c), [1, 4096]), ref(ones, [4096, 1]), false, false, [1, 1]);
      expectRelClose(out.data, [4096 * c], `4096 x ${c}`);
    }
  });

  it('full 4x8 tiles: [8, 131072] @ [131072, 16] and linear [4, 262144] x [8, 262144]^T + bias', () => {
    const k = 131_072;
    for (const [name, a] of [
      ['0.3', constant(8 * k, x03)],
      ['uniform', uniform(8 * k, 5)],
    ] as const) {
      const b = constant(k * 16, 1);
      const want = new Float64Array(8 * 16);
      for (let i = 0; i < 8; i++) want.fill(sumAll(a.subarray(i * k, (i + 1) * k)), i * 16, i * 16 + 16);
      const out = K.matmul(ref(a, [8, k]), ref(b, [k, 16]), false, false, [8, 16]);
      expectRelClose(out.data, want, `matmul 8x131072x16 ${name}`);
    }

    const kl = 262_144;
    const x = constant(4 * kl, x03);
    const w = constant(8 * kl, 1);
    const bias = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const wantL = new Float64Array(4 * 8);
    for (let o = 0; o < 8; o++) {
      let s = bias[o]!;
      for (let t = 0; t < kl; t++) s += x03 * w[o * kl + t]!;
      for (let i = 0; i < 4; i++) wantL[i * 8 + o] = s;
    }
    const lin = K.linear(ref(x, [4, kl]), ref(w, [8, kl]), ref(bias, [8]), [4, 8]);
    expectRelClose(lin.data, wantL, 'linear 4x262144 -> 8');
  });

  it("conv2d's weight gradient sums over batch and image: 1e6 terms per weight", () => {
    const params = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 } as const;
    // pointwise (no im2col): x, dy [64, 1, 128, 128]
    const shape = [64, 1, 128, 128];
    const x = uniform(64 * 128 * 128, 7);
    const dy = constant(64 * 128 * 128, x03);
    let want = 0;
    for (let i = 0; i < x.length; i++) want += x[i]! * x03;
    const dw = K.conv2dBackwardWeight(ref(x, shape), ref(dy, shape), [1, 1, 1, 1], params);
    expectRelClose(dw.data, [want], 'conv2dBackwardWeight 1x1 over [64,1,128,128]');
    // a large batch of small images, 1024 x [1, 32, 32], of 0.1 (summing the per-image results in
    // float32 is 1e-5 off here)
    const bs = [1024, 1, 32, 32];
    const x01 = Math.fround(0.1);
    const dwb = K.conv2dBackwardWeight(ref(constant(N4, x01), bs), ref(constant(N4, 1), bs), [1, 1, 1, 1], params);
    expectRelClose(dwb.data, [N4 * x01], 'conv2dBackwardWeight 1x1 over [1024,1,32,32]');
    // 3x3 with padding (im2col): x [16, 1, 250, 250], dy [16, 1, 250, 250]; the centre tap sums
    // all 1e6 products, the corner taps the (249 x 249) products they reach
    const xs = [16, 1, 250, 250];
    const xc = constant(16 * 250 * 250, x03);
    const g = constant(16 * 250 * 250, 1);
    const dw3 = K.conv2dBackwardWeight(ref(xc, xs), ref(g, xs), [1, 1, 3, 3], { ...params, padding: [1, 1] });
    const edge = 16 * 249 * 250 * x03;
    const corner = 16 * 249 * 249 * x03;
    const centre = 16 * 250 * 250 * x03;
    expectRelClose(
      dw3.data,
      [corner, edge, corner, edge, centre, edge, corner, edge, corner],
      'conv2dBackwardWeight 3x3',
    );
  });
});

describe('scatterAdd with one index repeated 1e6 times', () => {
  it('sums 1e6 copies of 0.3 into one element (float32) and keeps int32 exact', () => {
    const out = K.scatterAdd(
      ref(new Float32Array([1]), [1]),
      0,
      ref(new Int32Array(N), [N]),
      ref(constant(N, x03), [N]),
    );
    expectRelClose(out.data, [1 + N * x03], 'scatterAdd float32');
    const src = new Int32Array(N).fill(3);
    const outI = K.scatterAdd(ref(new Int32Array([5]), [1]), 0, ref(new Int32Array(N), [N]), ref(src, [N]));
    expect(Array.from(outI.data)).toEqual([5 + 3 * N]);
  });
});

describe("core's mean / var / std on the cpu backend", () => {
  it('mean of 131,072 copies of 0.3 is 0.3; var and std of that constant tensor are ~0', () => {
    const t = full([131_072], 0.3, { device: cpuBackend.name });
    expectRelClose([mean(t).item()], [x03], 'mean');
    expect(Math.abs(variance(t).item())).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(std(t).item())).toBeLessThanOrEqual(1e-6 * x03);
    const u = uniform(N, 8);
    const tu = fromArray(u, [N / 4, 4]);
    const m = new Float64Array(4);
    for (let i = 0; i < N; i++) m[i % 4]! += u[i]! / (N / 4);
    expectRelClose(mean(tu, 0).dataSync(), m, 'mean [250000,4] over axis 0');
    let mu = 0;
    for (const v of u) mu += v / N;
    let ss = 0;
    for (const v of u) ss += (v - mu) ** 2;
    expectRelClose([std(fromArray(u, [N])).item()], [Math.sqrt(ss / (N - 1))], 'std of uniform');
  });
});
