import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemm } from './gemm.js';
import { type Heap, heap } from './heap.js';
import { matmul } from './matmul.js';
import { linear, logSoftmax, softmax } from './nn.js';
import { expectClose, expectEqual, randF32, randI32, refMatmul, size } from './test-reference.js';
import { gemmImpls, useGemm } from './test-gemm.js';

function check(aShape: number[], bShape: number[], tA: boolean, tB: boolean, seed = 1): void {
  const a = randF32(size(aShape), seed);
  const b = randF32(size(bShape), seed + 1);
  const { out: expected, shape } = refMatmul(a, aShape, b, bShape, tA, tB);
  const out = matmul(a, aShape, b, bShape, tA, tB, shape);
  expect(out).toBeInstanceOf(Float32Array);
  const K = tA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!;
  expectClose(out, expected, 1e-5, 1e-6 * Math.max(1, Math.sqrt(K)));
}

describe.each(gemmImpls)('with the %s gemm', (impl) => {
  useGemm(impl);

  describe('matmul (blocked GEMM) vs naive float64', () => {
    it('small and edge shapes, every transpose combination', () => {
      const shapes: [number, number, number][] = [
        [1, 1, 1],
        [2, 3, 4],
        [5, 7, 3],
        [4, 4, 4],
        [1, 9, 1],
        [13, 1, 6],
      ];
      for (const [M, K, N] of shapes)
        for (const tA of [false, true])
          for (const tB of [false, true]) check(tA ? [K, M] : [M, K], tB ? [N, K] : [K, N], tA, tB);
    });

    it('sizes that cross the KC=256 / MC=64 block edges, with transposes', () => {
      check([70, 300], [300, 37], false, false);
      check([300, 70], [300, 37], true, false);
      check([70, 300], [37, 300], false, true);
      check([300, 67], [33, 300], true, true);
      check([129, 513], [513, 6], false, false);
    });

    it('broadcast batch dims', () => {
      check([2, 3, 4, 5], [5, 6], false, false);
      check([3, 4, 5], [2, 1, 5, 6], false, false);
      check([2, 1, 5, 4], [1, 3, 6, 5], true, true);
      check([1, 2, 3], [4, 3, 2], false, false);
    });

    it('empty dims: K = 0 gives zeros, M/N/batch = 0 give empty', () => {
      expectEqual(
        matmul(new Float32Array(0), [2, 0], new Float32Array(0), [0, 3], false, false, [2, 3]),
        [0, 0, 0, 0, 0, 0],
      );
      expect(matmul(new Float32Array(0), [0, 4], randF32(12), [4, 3], false, false, [0, 3]).length).toBe(0);
      expect(matmul(randF32(8), [2, 4], new Float32Array(0), [4, 0], false, false, [2, 0]).length).toBe(0);
      expect(matmul(new Float32Array(0), [0, 2, 4], randF32(12), [4, 3], false, false, [0, 2, 3]).length).toBe(0);
    });

    it('int32 operands', () => {
      const a = randI32(6, 1);
      const b = randI32(12, 2);
      const out = matmul(a, [2, 3], b, [3, 4], false, false, [2, 4]);
      expect(out).toBeInstanceOf(Int32Array);
      expectEqual(out, refMatmul(a, [2, 3], b, [3, 4], false, false).out);
    });

    it('large and tiny magnitudes', () => {
      const a = new Float32Array([1e20, 1e-20, 3, -1e10]);
      const b = new Float32Array([1e-20, 1e-30, 1e20, 1]);
      const out = matmul(a, [2, 2], b, [2, 2], false, false, [2, 2]);
      expectClose(out, refMatmul(a, [2, 2], b, [2, 2], false, false).out.map(Math.fround), 1e-6, 0);
      expect(out[0]).toBeCloseTo(2, 6);
    });

    it('property: random shapes, transposes and batch broadcasting', () => {
      const d = fc.integer({ min: 0, max: 9 });
      fc.assert(
        fc.property(
          d,
          d,
          d,
          fc.boolean(),
          fc.boolean(),
          fc.constantFrom<[number[], number[]]>([[], []], [[2], []], [[], [3]], [[2, 1], [3]], [[1], [2]]),
          fc.integer(),
          (M, K, N, tA, tB, [ba, bb], seed) => {
            check([...ba, ...(tA ? [K, M] : [M, K])], [...bb, ...(tB ? [N, K] : [K, N])], tA, tB, seed);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('gemm accumulates into a strided destination', () => {
      const a = randF32(6, 1);
      const b = randF32(6, 2);
      const c = new Float32Array(12).fill(1);
      // C is 2x2 inside a 3-wide row layout starting at offset 4
      gemm(2, 2, 3, { data: a, offset: 0, rs: 3, cs: 1 }, { data: b, offset: 0, rs: 2, cs: 1 }, c, 4, 3, true);
      const ref = refMatmul(a, [2, 3], b, [3, 2], false, false).out;
      expectClose(
        c,
        [1, 1, 1, 1, 1 + ref[0]!, 1 + ref[1]!, 1, 1 + ref[2]!, 1 + ref[3]!, 1, 1, 1].map(Math.fround),
        1e-6,
        1e-6,
      );
    });
    it.skipIf(heap === null)(
      'operands in the storage heap (batch slices: views into one heap array) give the JS arrays bits, every transpose',
      () => {
        const h = heap as Heap;
        for (const [M, K, N] of [
          [3, 40, 20],
          [17, 50, 33],
          [20, 70, 24],
        ] as const)
          for (const tA of [false, true])
            for (const tB of [false, true]) {
              const aShape = tA ? [3, K, M] : [3, M, K];
              const bShape = tB ? [3, N, K] : [3, K, N];
              const a = randF32(size(aShape), M + K);
              const b = randF32(size(bShape), N + K);
              const ha = h.takeF32(a.length);
              const hb = h.takeF32(b.length);
              if (ha === null || hb === null) throw new Error('the test heap is full');
              ha.set(a);
              hb.set(b);
              const shape = [3, M, N];
              const out = matmul(a, aShape, b, bShape, tA, tB, shape);
              const fromHeap = matmul(ha, aShape, hb, bShape, tA, tB, shape);
              expect(Array.from(fromHeap)).toEqual(Array.from(out));
              const { out: expected } = refMatmul(a, aShape, b, bShape, tA, tB);
              expectClose(fromHeap, expected, 1e-5, 1e-6 * Math.sqrt(K));
              h.release(ha);
              h.release(hb);
            }
      },
    );
  });

  describe('fused linear / softmax / logSoftmax', () => {
    it('linear = x @ W^T + b, with batch dims and without bias', () => {
      const x = randF32(2 * 3 * 5, 1);
      const w = randF32(4 * 5, 2);
      const bias = randF32(4, 3);
      const { out } = refMatmul(x, [6, 5], w, [4, 5], false, true);
      expectClose(
        linear(x, [2, 3, 5], w, [4, 5], bias),
        out.map((v, i) => v + bias[i % 4]!),
        1e-5,
        1e-6,
      );
      expectClose(linear(x, [2, 3, 5], w, [4, 5], null), out, 1e-5, 1e-6);
      expectEqual(
        linear(new Float32Array(0), [2, 0], new Float32Array(0), [3, 0], new Float32Array([1, 2, 3])),
        [1, 2, 3, 1, 2, 3],
      );
    });

    function refSoftmax(x: Float32Array, shape: number[], axis: number, log: boolean): number[] {
      const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const n = shape[axis]!;
      const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const out = new Array<number>(x.length);
      for (let o = 0; o < outer; o++)
        for (let j = 0; j < inner; j++) {
          const idx = (i: number) => (o * n + i) * inner + j;
          let m = -Infinity;
          for (let i = 0; i < n; i++) m = Math.max(m, x[idx(i)]!);
          let s = 0;
          for (let i = 0; i < n; i++) s += Math.exp(x[idx(i)]! - m);
          for (let i = 0; i < n; i++) out[idx(i)] = log ? x[idx(i)]! - m - Math.log(s) : Math.exp(x[idx(i)]! - m) / s;
        }
      return out;
    }

    it('softmax / logSoftmax along any axis, stable for huge logits', () => {
      for (const [shape, axis] of [
        [[4, 7], 1],
        [[4, 7], 0],
        [[2, 3, 4], 1],
        [[5], 0],
        [[3, 1], 1],
      ] as [number[], number][]) {
        const x = randF32(size(shape), 5, -10, 10);
        expectClose(softmax(x, shape, axis), refSoftmax(x, shape, axis, false).map(Math.fround), 1e-6, 1e-7);
        expectClose(logSoftmax(x, shape, axis), refSoftmax(x, shape, axis, true).map(Math.fround), 1e-6, 1e-6);
      }
      const big = new Float32Array([1000, 0, -1000, 1000]);
      expectClose(softmax(big, [1, 4], 1), [0.5, 0, 0, 0.5], 1e-7, 0);
      expectClose(
        logSoftmax(big, [1, 4], 1),
        [-Math.LN2, -1000 - Math.LN2, -2000 - Math.LN2, -Math.LN2].map(Math.fround),
        1e-7,
        0,
      );
      expect(softmax(new Float32Array(0), [0, 3], 1).length).toBe(0);
    });
  });
});
