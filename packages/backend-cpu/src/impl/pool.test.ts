import { windowOutputSize } from '@flint/core/backend';
import type { Pool2dParams } from '@flint/core/backend';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  avgPool2d,
  avgPool2dBackward,
  maxPool2d,
  maxPool2dBackward,
  type PoolImpl,
  poolImpls,
  setPoolImpl,
} from './pool.js';
import { heap } from './heap.js';
import { expectClose, expectEqual, randF32, size } from './test-reference.js';

/** A copy of `a` in the storage heap (any length), so the module reads it in place; `a` itself where there is no heap. */
function inHeap<T extends Float32Array | Int32Array>(a: T): T {
  const h = (a instanceof Float32Array ? heap?.takeF32(a.length) : heap?.takeI32(a.length)) ?? null;
  if (h === null) return a;
  h.set(a);
  return h as T;
}

function pp(
  k: number[],
  s: number[],
  p: number[],
  d: number[],
  ceilMode: boolean,
  countIncludePad = true,
  divisorOverride?: number,
): Pool2dParams {
  return {
    kernelSize: k as [number, number],
    stride: s as [number, number],
    padding: p as [number, number],
    dilation: d as [number, number],
    ceilMode,
    countIncludePad,
    divisorOverride,
  };
}

function outShapeOf(x: number[], p: Pool2dParams): number[] {
  return [
    x[0]!,
    x[1]!,
    windowOutputSize(x[2]!, p.kernelSize[0], p.stride[0], p.padding[0], p.dilation[0], p.ceilMode),
    windowOutputSize(x[3]!, p.kernelSize[1], p.stride[1], p.padding[1], p.dilation[1], p.ceilMode),
  ];
}

/** PyTorch's CPU max_pool2d loop, transcribed. */
function refMaxPool(x: Float32Array, xs: number[], p: Pool2dParams): { v: number[]; i: number[] } {
  const [N, C, H, W] = xs as [number, number, number, number];
  const [, , Ho, Wo] = outShapeOf(xs, p) as [number, number, number, number];
  const v: number[] = [];
  const idx: number[] = [];
  for (let pl = 0; pl < N * C; pl++)
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++) {
        let h0 = oh * p.stride[0] - p.padding[0];
        let w0 = ow * p.stride[1] - p.padding[1];
        const h1 = Math.min(h0 + (p.kernelSize[0] - 1) * p.dilation[0] + 1, H);
        const w1 = Math.min(w0 + (p.kernelSize[1] - 1) * p.dilation[1] + 1, W);
        while (h0 < 0) h0 += p.dilation[0];
        while (w0 < 0) w0 += p.dilation[1];
        let best = -Infinity;
        let bi = h0 * W + w0;
        for (let ih = h0; ih < h1; ih += p.dilation[0])
          for (let iw = w0; iw < w1; iw += p.dilation[1]) {
            const val = x[pl * H * W + ih * W + iw]!;
            if (val > best || Number.isNaN(val)) {
              best = val;
              bi = ih * W + iw;
            }
          }
        v.push(best);
        idx.push(bi);
      }
  return { v, i: idx };
}

/** PyTorch's CPU avg_pool2d loop (no dilation), transcribed. */
function refAvgPool(x: Float32Array, xs: number[], p: Pool2dParams): number[] {
  const [N, C, H, W] = xs as [number, number, number, number];
  const [, , Ho, Wo] = outShapeOf(xs, p) as [number, number, number, number];
  const [kH, kW] = p.kernelSize;
  const out: number[] = [];
  for (let pl = 0; pl < N * C; pl++)
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++) {
        let ih0 = oh * p.stride[0] - p.padding[0];
        let iw0 = ow * p.stride[1] - p.padding[1];
        let ih1 = Math.min(ih0 + kH, H + p.padding[0]);
        let iw1 = Math.min(iw0 + kW, W + p.padding[1]);
        const poolSize = (ih1 - ih0) * (iw1 - iw0);
        ih0 = Math.max(ih0, 0);
        iw0 = Math.max(iw0, 0);
        ih1 = Math.min(ih1, H);
        iw1 = Math.min(iw1, W);
        if (ih0 >= ih1 || iw0 >= iw1) {
          out.push(0);
          continue;
        }
        const div = p.divisorOverride ?? (p.countIncludePad ? poolSize : (ih1 - ih0) * (iw1 - iw0));
        let s = 0;
        for (let ih = ih0; ih < ih1; ih++) for (let iw = iw0; iw < iw1; iw++) s += x[pl * H * W + ih * W + iw]!;
        out.push(s / div);
      }
  return out;
}

const maxCases: [number[], Pool2dParams][] = [
  [[2, 3, 6, 6], pp([2, 2], [2, 2], [0, 0], [1, 1], false)],
  [[1, 2, 7, 5], pp([3, 3], [2, 2], [1, 1], [1, 1], true)],
  [[1, 1, 8, 9], pp([3, 2], [2, 3], [1, 1], [2, 2], true)],
  [[1, 1, 5, 5], pp([2, 2], [2, 2], [0, 0], [1, 1], true)],
  [[2, 1, 4, 4], pp([4, 4], [1, 1], [2, 2], [1, 1], false)],
  [[0, 2, 4, 4], pp([2, 2], [2, 2], [0, 0], [1, 1], false)],
];

describe.each(poolImpls)('maxPool2d (2x2 stride-2 windows in %s)', (impl) => {
  let prev: PoolImpl;
  beforeAll(() => {
    prev = setPoolImpl(impl);
  });
  afterAll(() => {
    setPoolImpl(prev);
  });

  it('2x2 stride-2 windows over random planes with ties, signed zeros, infinities and NaNs match the reference', () => {
    const special = [0, -0, 1, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const value = fc.oneof(fc.constantFrom(...special), fc.float({ noDefaultInfinity: true, noNaN: true }));
    const shape = fc.tuple(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 2, max: 9 }),
      fc.integer({ min: 2, max: 21 }),
    );
    fc.assert(
      fc.property(
        shape.chain((xs) => fc.tuple(fc.constant(xs), fc.array(value, { minLength: size(xs), maxLength: size(xs) }))),
        ([xs, vals]) => {
          const x = new Float32Array(vals);
          const p = pp([2, 2], [2, 2], [0, 0], [1, 1], false);
          const { values, indices } = maxPool2d(x, xs, p, outShapeOf(xs, p));
          const ref = refMaxPool(x, xs, p);
          expect(Array.from(indices)).toEqual(ref.i);
          expect(Array.from(values)).toEqual(ref.v.map(Math.fround));
          // the input in the heap, read in place
          const fromHeap = maxPool2d(inHeap(x), xs, p, outShapeOf(xs, p));
          expect(Array.from(fromHeap.indices)).toEqual(ref.i);
          expect(Array.from(fromHeap.values)).toEqual(ref.v.map(Math.fround));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('values and flat h*W+w plane indices match PyTorch semantics (ceil_mode, padding, dilation)', () => {
    for (const [xs, p] of maxCases) {
      const x = randF32(size(xs), 3);
      const { values, indices } = maxPool2d(x, xs, p, outShapeOf(xs, p));
      const ref = refMaxPool(x, xs, p);
      expectEqual(values, ref.v.map(Math.fround));
      expectEqual(indices, ref.i);
    }
  });

  it('full 2x2 windows (the unrolled path) keep the first of tied maxima, the last NaN, and -inf windows', () => {
    // 4x6 planes: windows of ties, of -inf only, with one and with two NaNs; stride 2 and overlapping stride 1
    const plane = [1, 1, -Infinity, -Infinity, NaN, 2, 1, 1, -Infinity, -Infinity, 3, NaN];
    const x = new Float32Array([...plane, ...plane.map((v) => -v), ...randF32(24, 5)]);
    const xs = [1, 2, 4, 6];
    for (const p of [pp([2, 2], [2, 2], [0, 0], [1, 1], false), pp([2, 2], [1, 1], [0, 0], [1, 1], false)]) {
      const { values, indices } = maxPool2d(x, xs, p, outShapeOf(xs, p));
      const ref = refMaxPool(x, xs, p);
      expectEqual(values, ref.v.map(Math.fround));
      expectEqual(indices, ref.i);
    }
  });

  it('a window of -inf keeps its first in-input index; NaN wins', () => {
    const x = new Float32Array([-Infinity, -Infinity, -Infinity, NaN]);
    const { values, indices } = maxPool2d(x, [1, 1, 2, 2], pp([2, 1], [1, 1], [0, 0], [1, 1], false), [1, 1, 1, 2]);
    expectEqual(values, [-Infinity, NaN]);
    expectEqual(indices, [0, 3]);
  });

  it('backward scatters dy to the argmax positions, summing overlaps', () => {
    const xs = [1, 2, 5, 5];
    const p = pp([3, 3], [1, 1], [1, 1], [1, 1], false);
    const x = randF32(size(xs), 4);
    const os = outShapeOf(xs, p);
    const { indices } = maxPool2d(x, xs, p, os);
    const dy = randF32(size(os), 5);
    const expected = new Array<number>(size(xs)).fill(0);
    for (let o = 0; o < dy.length; o++) expected[Math.floor(o / 25) * 25 + indices[o]!]! += dy[o]!;
    expectClose(maxPool2dBackward(dy, os, indices, xs), expected.map(Math.fround), 1e-6, 1e-6);
  });
});

describe.runIf(poolImpls.includes('wasm-simd'))('maxPool2dBackward in WebAssembly SIMD', () => {
  afterAll(() => {
    setPoolImpl('wasm-simd');
  });

  it("equals the JavaScript scatter-add bit for bit (2x2 stride-2 blocks written whole; other windows' indices fall back)", () => {
    const special = [0, -0, 1, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const value = fc.oneof(fc.constantFrom(...special), fc.float({ noDefaultInfinity: true, noNaN: true }));
    const windows = [
      pp([2, 2], [2, 2], [0, 0], [1, 1], false),
      pp([2, 2], [2, 2], [0, 0], [1, 1], true),
      pp([3, 3], [2, 2], [1, 1], [1, 1], false),
      pp([2, 2], [1, 1], [0, 0], [1, 1], false),
      pp([1, 1], [2, 2], [0, 0], [1, 1], false),
    ];
    const shape = fc.tuple(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 2, max: 11 }),
      fc.integer({ min: 2, max: 23 }),
    );
    fc.assert(
      fc.property(
        shape.chain((xs) =>
          fc.tuple(
            fc.constant(xs),
            fc.constantFrom(...windows),
            fc.array(value, { minLength: size(xs), maxLength: size(xs) }),
            fc.integer({ min: 0, max: 1000 }),
          ),
        ),
        ([xs, p, vals, seed]) => {
          const os = outShapeOf(xs, p);
          const { indices } = maxPool2d(new Float32Array(vals), xs, p, os);
          // dy with signed zeros, infinities and NaNs too
          const dy = randF32(size(os), seed);
          for (let o = 0; o < dy.length; o += 7) dy[o] = special[(o + seed) % special.length]!;
          const run = (impl: PoolImpl): Float32Array => {
            setPoolImpl(impl);
            const dx = maxPool2dBackward(dy, os, indices, xs);
            return dx;
          };
          const simd = run('wasm-simd');
          const js = run('js');
          expect(Array.from(simd, (v) => Object.is(v, -0))).toEqual(Array.from(js, (v) => Object.is(v, -0)));
          expect(simd).toEqual(js);
          // dy and the indices in the heap, read in place
          setPoolImpl('wasm-simd');
          const fromHeap = maxPool2dBackward(inHeap(dy), os, inHeap(indices), xs);
          expect(Array.from(fromHeap, (v) => Object.is(v, -0))).toEqual(Array.from(js, (v) => Object.is(v, -0)));
          expect(fromHeap).toEqual(js);
        },
      ),
      { numRuns: 300 },
    );
  });
});

const avgCases: [number[], Pool2dParams][] = [
  [[2, 3, 6, 6], pp([2, 2], [2, 2], [0, 0], [1, 1], false)],
  [[1, 2, 7, 5], pp([3, 3], [2, 2], [1, 1], [1, 1], true, true)],
  [[1, 2, 7, 5], pp([3, 3], [2, 2], [1, 1], [1, 1], true, false)],
  [[1, 1, 5, 5], pp([2, 2], [2, 2], [0, 0], [1, 1], true, true)],
  [[1, 1, 6, 6], pp([3, 3], [2, 2], [1, 1], [1, 1], true, true)],
  [[1, 1, 4, 7], pp([3, 2], [3, 2], [1, 1], [1, 1], true, false, 5)],
  [[1, 1, 4, 4], pp([2, 2], [1, 1], [1, 1], [1, 1], false, true, 3)],
];

describe('avgPool2d', () => {
  it("follows PyTorch's divisor rules (count_include_pad, divisor_override, ceil_mode overhang)", () => {
    for (const [xs, p] of avgCases) {
      const x = randF32(size(xs), 6);
      expectClose(avgPool2d(x, xs, p, outShapeOf(xs, p)), refAvgPool(x, xs, p).map(Math.fround), 1e-6, 1e-7);
    }
  });

  it('a ceil_mode window hanging past the padded input divides by its clipped size', () => {
    // 5x5 ones, k=2, s=2, ceil_mode: the last row/column windows cover 1 input element -> mean 1.
    const out = avgPool2d(
      new Float32Array(25).fill(1),
      [1, 1, 5, 5],
      pp([2, 2], [2, 2], [0, 0], [1, 1], true),
      [1, 1, 3, 3],
    );
    expectEqual(out, new Array(9).fill(1));
    // With padding 1 and count_include_pad, the padded zeros count: corner window = 1/4.
    const padded = avgPool2d(
      new Float32Array(16).fill(1),
      [1, 1, 4, 4],
      pp([2, 2], [2, 2], [1, 1], [1, 1], false),
      [1, 1, 3, 3],
    );
    expectEqual(padded, [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25]);
  });

  it('dilated average pooling averages the dilated taps', () => {
    const x = randF32(36, 7);
    const out = avgPool2d(x, [1, 1, 6, 6], pp([2, 2], [2, 2], [0, 0], [2, 2], false), [1, 1, 2, 2]);
    const tap = (h: number, w: number) => x[h * 6 + w]!;
    expectClose(
      out,
      [
        (tap(0, 0) + tap(0, 2) + tap(2, 0) + tap(2, 2)) / 4,
        (tap(0, 2) + tap(0, 4) + tap(2, 2) + tap(2, 4)) / 4,
        (tap(2, 0) + tap(2, 2) + tap(4, 0) + tap(4, 2)) / 4,
        (tap(2, 2) + tap(2, 4) + tap(4, 2) + tap(4, 4)) / 4,
      ].map(Math.fround),
      1e-6,
      1e-7,
    );
  });

  it('backward matches finite differences of the forward (exact: the op is linear)', () => {
    for (const [xs, p] of avgCases) {
      const x = randF32(size(xs), 8);
      const os = outShapeOf(xs, p);
      const dy = randF32(size(os), 9);
      const loss = (xx: Float32Array) => avgPool2d(xx, xs, p, os).reduce((s, v, i) => s + v * dy[i]!, 0);
      const dx = avgPool2dBackward(dy, os, xs, p);
      for (let i = 0; i < x.length; i += 3) {
        const xp = x.slice();
        const xm = x.slice();
        xp[i]! += 0.5;
        xm[i]! -= 0.5;
        expect(dx[i]).toBeCloseTo(loss(xp) - loss(xm), 4);
      }
    }
  });
});
