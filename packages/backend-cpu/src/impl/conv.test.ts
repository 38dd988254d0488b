import { windowOutputSize } from '@flint/core/backend';
import type { Conv2dParams } from '@flint/core/backend';
import { describe, expect, it } from 'vitest';
import { clearBufferPool, release } from './buffers.js';
import { cachedColumnElements, conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { expectClose, randF32, size } from './test-reference.js';
import { gemmImpls, useGemm } from './test-gemm.js';

type Geo = { x: number[]; w: number[]; p: Conv2dParams };

function outShapeOf({ x, w, p }: Geo): number[] {
  return [
    x[0]!,
    w[0]!,
    windowOutputSize(x[2]!, w[2]!, p.stride[0], p.padding[0], p.dilation[0]),
    windowOutputSize(x[3]!, w[3]!, p.stride[1], p.padding[1], p.dilation[1]),
  ];
}

/** Visit every (output, input, weight) triple of a direct convolution. */
function forEachTap(g: Geo, visit: (oi: number, xi: number, wi: number) => void): void {
  const [N, C, H, W] = g.x as [number, number, number, number];
  const [O, Cg, kH, kW] = g.w as [number, number, number, number];
  const [, , Ho, Wo] = outShapeOf(g) as [number, number, number, number];
  const Og = O / g.p.groups;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oh = 0; oh < Ho; oh++)
        for (let ow = 0; ow < Wo; ow++) {
          const grp = Math.floor(o / Og);
          for (let c = 0; c < Cg; c++)
            for (let ki = 0; ki < kH; ki++)
              for (let kj = 0; kj < kW; kj++) {
                const ih = oh * g.p.stride[0] - g.p.padding[0] + ki * g.p.dilation[0];
                const iw = ow * g.p.stride[1] - g.p.padding[1] + kj * g.p.dilation[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                visit(
                  ((n * O + o) * Ho + oh) * Wo + ow,
                  ((n * C + grp * Cg + c) * H + ih) * W + iw,
                  ((o * Cg + c) * kH + ki) * kW + kj,
                );
              }
        }
}

const params = (stride: number[], padding: number[], dilation: number[], groups: number): Conv2dParams => ({
  stride: stride as [number, number],
  padding: padding as [number, number],
  dilation: dilation as [number, number],
  groups,
});

const geos: Geo[] = [
  { x: [2, 3, 7, 6], w: [4, 3, 3, 3], p: params([1, 1], [0, 0], [1, 1], 1) },
  { x: [1, 4, 9, 8], w: [6, 2, 3, 2], p: params([2, 1], [1, 2], [1, 2], 2) },
  { x: [2, 2, 5, 5], w: [3, 2, 1, 1], p: params([1, 1], [0, 0], [1, 1], 1) },
  { x: [1, 3, 6, 6], w: [3, 1, 3, 3], p: params([2, 2], [1, 1], [1, 1], 3) },
  { x: [1, 1, 4, 4], w: [2, 1, 4, 4], p: params([1, 1], [0, 0], [1, 1], 1) },
  { x: [0, 2, 4, 4], w: [2, 2, 3, 3], p: params([1, 1], [1, 1], [1, 1], 1) },
];

describe.each(gemmImpls)('with the %s gemm', (impl) => {
  useGemm(impl);

  describe('conv2d (im2col + GEMM) vs a direct float64 convolution', () => {
    it('stride, padding, dilation, groups, 1x1 and empty batch', () => {
      for (const g of geos) {
        const x = randF32(size(g.x), 1);
        const w = randF32(size(g.w), 2);
        const outShape = outShapeOf(g);
        const expected = new Array<number>(size(outShape)).fill(0);
        forEachTap(g, (oi, xi, wi) => (expected[oi]! += x[xi]! * w[wi]!));
        expectClose(conv2d(x, g.x, w, g.w, g.p, outShape), expected, 1e-5, 1e-5);
      }
    });

    it('backward kernels match the direct float64 adjoints', () => {
      for (const g of geos) {
        const x = randF32(size(g.x), 3);
        const w = randF32(size(g.w), 4);
        const outShape = outShapeOf(g);
        const dy = randF32(size(outShape), 5);
        const dx = new Array<number>(size(g.x)).fill(0);
        const dw = new Array<number>(size(g.w)).fill(0);
        forEachTap(g, (oi, xi, wi) => {
          dx[xi]! += dy[oi]! * w[wi]!;
          dw[wi]! += dy[oi]! * x[xi]!;
        });
        expectClose(conv2dBackwardInput(dy, outShape, w, g.w, g.x, g.p), dx, 1e-5, 1e-5);
        expectClose(conv2dBackwardWeight(x, g.x, dy, outShape, g.w, g.p), dw, 1e-5, 1e-5);
      }
    });

    it('backward kernels match finite differences of the forward', () => {
      for (const g of geos.slice(0, 4)) {
        const x = randF32(size(g.x), 6);
        const w = randF32(size(g.w), 7);
        const outShape = outShapeOf(g);
        const dy = randF32(size(outShape), 8);
        // L(x, w) = sum(conv2d(x, w) * dy): linear in each argument, so central differences are exact up to rounding.
        const loss = (xx: Float32Array, ww: Float32Array): number => {
          const y = conv2d(xx, g.x, ww, g.w, g.p, outShape);
          let s = 0;
          for (let i = 0; i < y.length; i++) s += y[i]! * dy[i]!;
          return s;
        };
        const gx = conv2dBackwardInput(dy, outShape, w, g.w, g.x, g.p);
        const gw = conv2dBackwardWeight(x, g.x, dy, outShape, g.w, g.p);
        const h = 0.25;
        for (let t = 0; t < 12; t++) {
          const i = (t * 7919) % x.length;
          const xp = x.slice();
          const xm = x.slice();
          xp[i]! += h;
          xm[i]! -= h;
          expect(gx[i]).toBeCloseTo((loss(xp, w) - loss(xm, w)) / (2 * h), 3);
          const j = (t * 104729) % w.length;
          const wp = w.slice();
          const wm = w.slice();
          wp[j]! += h;
          wm[j]! -= h;
          expect(gw[j]).toBeCloseTo((loss(x, wp) - loss(x, wm)) / (2 * h), 3);
        }
      }
    });
  });
});

describe('forward columns kept for the weight gradient', () => {
  it('give the same weight gradient as recomputed columns, and are dropped when the input is released', () => {
    const geos: Geo[] = [
      { x: [5, 1, 12, 12], w: [6, 1, 5, 5], p: { stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1 } },
      { x: [3, 4, 9, 7], w: [6, 2, 3, 2], p: { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 } },
    ];
    for (const g of geos) {
      const x = randF32(size(g.x), 11);
      const w = randF32(size(g.w), 12);
      const os = outShapeOf(g);
      const dy = randF32(size(os), 13);
      const before = cachedColumnElements();
      conv2d(x, g.x, w, g.w, g.p, os, true);
      expect(cachedColumnElements()).toBeGreaterThan(before);
      const kept = conv2dBackwardWeight(x, g.x, dy, os, g.w, g.p, true);
      expect(Array.from(kept)).toEqual(Array.from(conv2dBackwardWeight(x, g.x, dy, os, g.w, g.p)));
      release(x); // as CpuStorage.dispose does; then emptied so the pool never hands x out below
      clearBufferPool();
      expect(cachedColumnElements()).toBe(before);
      // without an entry (released input) the kernel recomputes: still the same gradient
      expect(Array.from(conv2dBackwardWeight(x, g.x, dy, os, g.w, g.p, true))).toEqual(Array.from(kept));
    }
  });
});
