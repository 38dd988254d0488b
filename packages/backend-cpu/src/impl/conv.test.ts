import { windowOutputSize } from '@flint/core/backend';
import type { Conv2dParams } from '@flint/core/backend';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearBufferPool, release } from './buffers.js';
import { cachedColumnElements, conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import {
  type ColumnGeometry,
  type ColumnsImpl,
  col2imImages,
  columnsImpls,
  im2colImages,
  setColumnsImpl,
} from './im2col.js';
import { heap } from './heap.js';
import { expectClose, randF32, size } from './test-reference.js';
import { gemmImpls, useGemm } from './test-gemm.js';

type Geo = { x: number[]; w: number[]; p: Conv2dParams };

/** A copy of `a` in the storage heap (any length), so the modules use it in place; `a` itself where there is no heap. */
function inHeap(a: Float32Array): Float32Array {
  const h = heap?.takeF32(a.length) ?? null;
  if (h === null) return a;
  h.set(a);
  return h;
}

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
  // LeNet's two convolutions at a small batch: rows of 28 and 10 (f32x4 copies with a tail)
  { x: [3, 1, 28, 28], w: [6, 1, 5, 5], p: params([1, 1], [2, 2], [1, 1], 1) },
  { x: [3, 6, 14, 14], w: [16, 6, 5, 5], p: params([1, 1], [0, 0], [1, 1], 1) },
  // one input channel, stride 1 (the direct SIMD path): rows of 8 + 4 + 2 outputs, asymmetric kernel and padding
  { x: [2, 1, 13, 15], w: [3, 1, 3, 2], p: params([1, 1], [1, 0], [1, 1], 1) },
  // padding wider than the kernel reach: whole padding rows and rows with no in-input column
  { x: [2, 2, 3, 5], w: [3, 2, 2, 2], p: params([1, 3], [3, 4], [1, 1], 1) },
];

/** Make the enclosing describe block run im2col/col2im with `impl` (restored afterwards). */
function useColumns(impl: ColumnsImpl): void {
  let prev: ColumnsImpl;
  beforeAll(() => {
    prev = setColumnsImpl(impl);
  });
  afterAll(() => {
    setColumnsImpl(prev);
  });
}

const implPairs = gemmImpls.flatMap((gemm) => columnsImpls.map((columns) => [gemm, columns] as const));

describe.each(implPairs)('with the %s gemm and %s im2col', (impl, columns) => {
  useGemm(impl);
  useColumns(columns);

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

    it('with a bias: the bits of conv2d followed by a float32 broadcast add (every path: pointwise, one image, chunks, groups)', () => {
      for (const g of geos) {
        const x = randF32(size(g.x), 21);
        const w = randF32(size(g.w), 22);
        const O = g.w[0]!;
        const bias = randF32(O, 23);
        const outShape = outShapeOf(g);
        const plane = outShape[2]! * outShape[3]!;
        const plain = conv2d(x, g.x, w, g.w, g.p, outShape);
        const expected = plain.map((v, i) => v + bias[Math.floor(i / plane) % O]!);
        expect(conv2d(x, g.x, w, g.w, g.p, outShape, false, bias)).toEqual(expected);
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
      { x: [5, 2, 12, 12], w: [6, 2, 5, 5], p: { stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1 } },
      { x: [3, 4, 9, 7], w: [6, 2, 3, 2], p: { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 } },
      // LeNet's second layer over 8 images: chunks of 3, 3 and 2 images (the kept block layout
      // follows the forward's chunks, which the weight gradient must repeat)
      { x: [8, 6, 14, 14], w: [16, 6, 5, 5], p: { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 } },
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

describe.runIf(columnsImpls.includes('wasm-simd'))('im2col/col2im in WebAssembly SIMD', () => {
  afterAll(() => {
    setColumnsImpl('wasm-simd');
  });
  const run = (impl: ColumnsImpl, f: () => Float32Array): Float32Array => {
    const prev = setColumnsImpl(impl);
    try {
      return f();
    } finally {
      setColumnsImpl(prev);
    }
  };

  it('equal the JavaScript loops bit for bit (strides, padding, dilation, channel offsets)', () => {
    const axis = fc.record({
      size: fc.integer({ min: 1, max: 19 }),
      k: fc.integer({ min: 1, max: 5 }),
      s: fc.integer({ min: 1, max: 3 }),
      p: fc.integer({ min: 0, max: 4 }),
      d: fc.integer({ min: 1, max: 3 }),
    });
    const geometry = fc
      .record({ h: axis, w: axis, Cg: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: 0, max: 2 }) })
      .filter(({ h, w }) => h.size + 2 * h.p >= (h.k - 1) * h.d + 1 && w.size + 2 * w.p >= (w.k - 1) * w.d + 1);
    fc.assert(
      fc.property(geometry, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1000 }), (q, m, seed) => {
        const out = (a: typeof q.h): number => windowOutputSize(a.size, a.k, a.s, a.p, a.d);
        const g: ColumnGeometry = {
          Cg: q.Cg,
          H: q.h.size,
          W: q.w.size,
          kH: q.h.k,
          kW: q.w.k,
          Ho: out(q.h),
          Wo: out(q.w),
          sH: q.h.s,
          sW: q.w.s,
          pH: q.h.p,
          pW: q.w.p,
          dH: q.h.d,
          dW: q.w.d,
        };
        // images of Cg + extra channels, the block starting one channel in when extra > 0
        const plane = g.H * g.W;
        const xStride = (g.Cg + q.extra) * plane;
        const xOff = q.extra > 0 ? plane : 0;
        const x = randF32(m * xStride, seed);
        const colLen = g.Cg * g.kH * g.kW * m * g.Ho * g.Wo;
        const im2col = (impl: ColumnsImpl): Float32Array =>
          run(impl, () => {
            const col = new Float32Array(colLen + 3).fill(7); // the 3 past the block must stay 7
            im2colImages(x, xOff, xStride, m, g, col, 1);
            return col;
          });
        const colWasm = im2col('wasm-simd');
        expect(colWasm).toEqual(im2col('js'));
        expect(colWasm[0]).toBe(7);
        expect(Array.from(colWasm.subarray(colLen + 1))).toEqual([7, 7]);
        // x and col in the heap, used in place: the loop's overrun past the block is undone
        const xh = inHeap(x);
        const colHeap = run('wasm-simd', () => {
          const col = inHeap(new Float32Array(colLen + 3).fill(7));
          im2colImages(xh, xOff, xStride, m, g, col, 1);
          return col.slice();
        });
        expect(colHeap).toEqual(colWasm);
        const dy = randF32(colLen, seed + 1);
        const col2im = (impl: ColumnsImpl, where: (a: Float32Array) => Float32Array): Float32Array =>
          run(impl, () => {
            const dx = where(randF32(m * xStride + 2, seed + 2));
            col2imImages(where(dy), 0, m, g, dx, xOff, xStride);
            return dx.slice();
          });
        const dxJs = col2im('js', (a) => a);
        expect(col2im('wasm-simd', (a) => a)).toEqual(dxJs);
        expect(col2im('wasm-simd', inHeap)).toEqual(dxJs);
      }),
      { numRuns: 300 },
    );
  });
});

describe.runIf(columnsImpls.includes('wasm-simd'))('the direct single-channel convolution (WebAssembly SIMD)', () => {
  it('forward and weight gradient match the float64 convolution (any kernel, padding, row tails, odd channel counts)', () => {
    const geometry = fc
      .record({
        N: fc.integer({ min: 0, max: 3 }),
        O: fc.integer({ min: 1, max: 7 }),
        H: fc.integer({ min: 1, max: 20 }),
        W: fc.integer({ min: 1, max: 37 }),
        kH: fc.integer({ min: 1, max: 7 }),
        kW: fc.integer({ min: 1, max: 11 }),
        pH: fc.integer({ min: 0, max: 3 }),
        pW: fc.integer({ min: 0, max: 3 }),
      })
      .filter((q) => q.H + 2 * q.pH >= q.kH && q.W + 2 * q.pW >= q.kW);
    fc.assert(
      fc.property(geometry, fc.integer({ min: 0, max: 1000 }), (q, seed) => {
        const g: Geo = { x: [q.N, 1, q.H, q.W], w: [q.O, 1, q.kH, q.kW], p: params([1, 1], [q.pH, q.pW], [1, 1], 1) };
        const outShape = outShapeOf(g);
        const x = randF32(size(g.x), seed);
        const w = randF32(size(g.w), seed + 1);
        const dy = randF32(size(outShape), seed + 2);
        const y = new Float64Array(size(outShape));
        const yAbs = new Float64Array(y.length);
        const dw = new Float64Array(size(g.w));
        const dwAbs = new Float64Array(dw.length);
        forEachTap(g, (oi, xi, wi) => {
          y[oi]! += x[xi]! * w[wi]!;
          yAbs[oi]! += Math.abs(x[xi]! * w[wi]!);
          dw[wi]! += dy[oi]! * x[xi]!;
          dwAbs[wi]! += Math.abs(dy[oi]! * x[xi]!);
        });
        // float32 sums of at most 77 terms (a forward's taps, a weight gradient's 32-term chunks):
        // off by at most 76 roundings of the absolute sum (~4.6e-6 of it)
        const within = (got: Float32Array, want: Float64Array, abs: Float64Array): void => {
          for (let i = 0; i < want.length; i++)
            expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(5e-6 * abs[i]! + 1e-30);
        };
        const out = conv2d(x, g.x, w, g.w, g.p, outShape);
        const dwGot = conv2dBackwardWeight(x, g.x, dy, outShape, g.w, g.p);
        within(out, y, yAbs);
        within(dwGot, dw, dwAbs);
        // the same bits with the operands in the heap (read in place)
        expect(conv2d(inHeap(x), g.x, inHeap(w), g.w, g.p, outShape)).toEqual(out);
        expect(conv2dBackwardWeight(inHeap(x), g.x, inHeap(dy), outShape, g.w, g.p)).toEqual(dwGot);
      }),
      { numRuns: 120 },
    );
  });

  it("the weight gradient's float32 chunks stay short over a long sum (batch 64 of 28x28, LeNet's first layer)", () => {
    // 50,176 terms per weight: x = 1 and dy = 0.1 everywhere, so every in-input tap sums 0.1s; a
    // float32 running sum would be off by ~1e-4 relative, 32-term chunks in float64 by ~1e-7
    const g: Geo = { x: [64, 1, 28, 28], w: [6, 1, 5, 5], p: params([1, 1], [2, 2], [1, 1], 1) };
    const outShape = outShapeOf(g);
    const x = new Float32Array(size(g.x)).fill(1);
    const dy = new Float32Array(size(outShape)).fill(0.1);
    const dw = new Array<number>(size(g.w)).fill(0);
    forEachTap(g, (oi, xi, wi) => (dw[wi]! += dy[oi]! * x[xi]!));
    const got = conv2dBackwardWeight(x, g.x, dy, outShape, g.w, g.p);
    for (let i = 0; i < dw.length; i++) expect(Math.abs(got[i]! - dw[i]!) / dw[i]!).toBeLessThan(3e-7);
  });
});
