import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as R from './reduce.js';
import { expectClose, expectEqual, randF32, randI32, ravel, size, unravel } from './test-reference.js';

const impl = { sum: R.sum, prod: R.prod, max: R.max, min: R.min };

function refReduce(op: R.ReduceOp, x: ArrayLike<number>, shape: number[], axes: number[]): number[] {
  const outShape = shape.filter((_, d) => !axes.includes(d));
  const init = { sum: 0, prod: 1, max: -Infinity, min: Infinity }[op];
  const out = new Array<number>(size(outShape)).fill(init);
  for (let i = 0; i < size(shape); i++) {
    const idx = unravel(i, shape);
    const o = ravel(
      idx.filter((_, d) => !axes.includes(d)),
      outShape,
    );
    const v = x[i]!;
    const cur = out[o]!;
    out[o] =
      op === 'sum'
        ? cur + v
        : op === 'prod'
          ? cur * v
          : Number.isNaN(cur) || Number.isNaN(v)
            ? NaN
            : op === 'max'
              ? Math.max(cur, v)
              : Math.min(cur, v);
  }
  return out;
}

const cases: [number[], number[]][] = [
  [[], []],
  [[5], [0]],
  [[5], []],
  [[3, 4], [0]],
  [[3, 4], [1]],
  [
    [3, 4],
    [0, 1],
  ],
  [
    [2, 3, 4],
    [0, 2],
  ],
  [[2, 3, 4], [1]],
  [
    [2, 1, 4, 3],
    [1, 3],
  ],
  [
    [2, 3, 4, 5],
    [0, 1, 3],
  ],
  [[1, 1], [0]],
];

describe('sum / prod / max / min over axes', () => {
  for (const op of ['sum', 'prod', 'max', 'min'] as const) {
    it(`${op} float32`, () => {
      for (const [shape, axes] of cases) {
        const x = randF32(size(shape), 11, op === 'prod' ? 0.5 : -2, op === 'prod' ? 1.5 : 2);
        const out = impl[op](x, shape, axes);
        expect(out).toBeInstanceOf(Float32Array);
        expectClose(out, refReduce(op, x, shape, axes).map(Math.fround), 1e-6, 1e-6);
      }
    });
    it(`${op} int32 stays int32`, () => {
      for (const [shape, axes] of cases) {
        const x = randI32(size(shape), 12, -3, 3);
        const out = impl[op](x, shape, axes);
        expect(out).toBeInstanceOf(Int32Array);
        expectEqual(
          out,
          refReduce(op, x, shape, axes).map((v) => v | 0),
        );
      }
    });
  }

  it('empty reductions: sum -> 0, prod -> 1; empty outputs', () => {
    expectEqual(R.sum(new Float32Array(0), [0], [0]), [0]);
    expectEqual(R.sum(new Float32Array(0), [3, 0], [1]), [0, 0, 0]);
    expectEqual(R.prod(new Float32Array(0), [3, 0], [1]), [1, 1, 1]);
    expectEqual(R.sum(new Int32Array(0), [0, 2], [1]), []);
    expectEqual(R.max(new Float32Array(0), [0, 3], [1]), []);
  });

  it('max/min propagate NaN; sum of large values accumulates in float64', () => {
    expectEqual(R.max(new Float32Array([1, NaN, 3]), [3], [0]), [NaN]);
    expectEqual(R.min(new Float32Array([1, NaN, 3, -Infinity]), [2, 2], [1]), [NaN, -Infinity]);
    const x = new Float32Array(1_000_001).fill(0.1);
    expectClose(R.sum(x, [x.length], [0]), [Math.fround(Math.fround(0.1) * x.length)], 1e-7, 0);
    expectEqual(R.sum(new Float32Array([3e38, 3e38, -3e38]), [3], [0]), [Math.fround(3e38)]);
  });

  it('property: random shapes and axis sets agree with the reference', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.integer(),
        (shape, mask, seed) => {
          const axes = shape.map((_, d) => d).filter((d) => mask[d]);
          const x = randF32(size(shape), seed);
          expectClose(R.sum(x, shape, axes), refReduce('sum', x, shape, axes).map(Math.fround), 1e-6, 1e-6);
          if (size(shape) > 0) expectEqual(R.max(x, shape, axes), refReduce('max', x, shape, axes));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: float32 sums in the bias-gradient and row-sum layouts are the memory-order float64 sum, bit for bit', () => {
    // [N, C, H, W] over [0, 2, 3] (conv bias), [K, L] over [1] (row sums), [R, C] over [0]
    // (linear bias), everything into one value: the fast paths
    const layouts = fc.oneof(
      fc
        .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 4, max: 12 }))
        .map(([n, c, h]) => ({ shape: [n, c, h, h], axes: [0, 2, 3] })),
      fc
        .tuple(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 16, max: 300 }))
        .map(([k, l]) => ({ shape: [k, l], axes: [1] })),
      fc
        .tuple(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 300 }))
        .map(([r, c]) => ({ shape: [r, 1, c], axes: [0, 1] })),
      fc.integer({ min: 1, max: 3000 }).map((n) => ({ shape: [n, 1], axes: [0, 1] })),
    );
    fc.assert(
      fc.property(layouts, fc.integer(), ({ shape, axes }, seed) => {
        const x = randF32(size(shape), seed, -3, 3);
        expectEqual(R.sum(x, shape, axes), refReduce('sum', x, shape, axes).map(Math.fround));
      }),
      { numRuns: 150 },
    );
  });
});

describe('argmax / argmin', () => {
  it('first occurrence on ties, NaN wins, any axis', () => {
    const x = new Float32Array([1, 3, 3, 0, 5, 5, -1, 5, 2, 2, 2, 2]);
    expectEqual(R.argmax(x, [3, 4], 1), [1, 0, 0]);
    expectEqual(R.argmin(x, [3, 4], 1), [3, 2, 0]);
    expectEqual(R.argmax(x, [3, 4], 0), [1, 1, 0, 1]);
    expectEqual(R.argmin(x, [3, 4], 0), [0, 2, 1, 0]);
    expectEqual(R.argmax(new Float32Array([1, NaN, 7, NaN]), [4], 0), [1]);
    expectEqual(R.argmin(new Float32Array([1, NaN, -7]), [3], 0), [1]);
    expectEqual(R.argmax(new Int32Array([4, 9, 9]), [3], 0), [1]);
    expectEqual(R.argmax(new Float32Array([4]), [1], 0), [0]);
    expect(R.argmax(new Float32Array(0), [0, 3], 1).length).toBe(0);
  });
  it('agrees with a naive reference on a 3-D tensor', () => {
    const shape = [3, 5, 4];
    const x = randI32(60, 9, 0, 4);
    for (let axis = 0; axis < 3; axis++) {
      const out = R.argmax(x, shape, axis);
      const outShape = shape.filter((_, d) => d !== axis);
      for (let o = 0; o < out.length; o++) {
        const idx = unravel(o, outShape);
        let best = -Infinity;
        let bi = -1;
        for (let i = 0; i < shape[axis]!; i++) {
          const full = [...idx.slice(0, axis), i, ...idx.slice(axis)];
          const v = x[ravel(full, shape)]!;
          if (v > best) {
            best = v;
            bi = i;
          }
        }
        expect(out[o]).toBe(bi);
      }
    }
  });
});
