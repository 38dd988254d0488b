import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as B from './binary.js';
import { broadcastShape, expectClose, expectEqual, randF32, randI32, refBinary, size } from './test-reference.js';

type Op = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

const impl: Record<Op, typeof B.add> = {
  add: B.add,
  sub: B.sub,
  mul: B.mul,
  div: B.div,
  pow: B.pow,
  maximum: B.maximum,
  minimum: B.minimum,
  eq: B.eq,
  ne: B.ne,
  lt: B.lt,
  le: B.le,
  gt: B.gt,
  ge: B.ge,
};

const ref: Record<Op, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: (x, y) => x ** y,
  maximum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y)),
  minimum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y)),
  eq: (x, y) => (x === y ? 1 : 0),
  ne: (x, y) => (x !== y ? 1 : 0),
  lt: (x, y) => (x < y ? 1 : 0),
  le: (x, y) => (x <= y ? 1 : 0),
  gt: (x, y) => (x > y ? 1 : 0),
  ge: (x, y) => (x >= y ? 1 : 0),
};
const ops = Object.keys(ref) as Op[];
const comparisons = new Set<Op>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

const shapePairs: [number[], number[]][] = [
  [[], []],
  [[], [3]],
  [[4], []],
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3], [3]],
  [
    [2, 1],
    [1, 3],
  ],
  [
    [3, 1, 5],
    [4, 1],
  ],
  [[1], [2, 3, 4]],
  [[2, 0, 3], [3]],
  [[0], [1]],
  [
    [2, 3, 4, 5],
    [2, 1, 4, 1],
  ],
  [[1, 1, 1], [1]],
];

describe('binary ops: NumPy broadcasting vs a naive float64 reference', () => {
  for (const op of ops) {
    it(`${op} on float32`, () => {
      for (const [sa, sb] of shapePairs) {
        const outShape = broadcastShape(sa, sb);
        const a = randF32(size(sa), 3, op === 'pow' ? 0.1 : -3, 3);
        const b = randF32(size(sb), 4, -3, 3);
        if (comparisons.has(op) && a.length > 0 && b.length > 0) a[0] = b[0]!; // exercise equality
        const out = impl[op](a, sa, b, sb, outShape);
        expect(out).toBeInstanceOf(comparisons.has(op) ? Uint8Array : Float32Array);
        expect(out.length).toBe(size(outShape));
        const expected = refBinary(ref[op], a, sa, b, sb, outShape);
        if (comparisons.has(op)) expectEqual(out, expected);
        else expectClose(out, expected.map(Math.fround), 1e-6, 0);
      }
    });
  }

  it('int32 arithmetic stays int32 and wraps', () => {
    const a = new Int32Array([2147483647, -7, 46341, 3]);
    const b = new Int32Array([1, 2, 46341, 4]);
    const s = [4];
    expect(B.add(a, s, b, s, s)).toBeInstanceOf(Int32Array);
    expectEqual(B.add(a, s, b, s, s), [-2147483648, -5, 92682, 7]);
    expectEqual(B.sub(a, s, b, s, s), [2147483646, -9, 0, -1]);
    expectEqual(B.mul(a, s, b, s, s), [2147483647, -14, Math.imul(46341, 46341), 12]);
    expectEqual(
      B.pow(new Int32Array([2, -3, 5, 1, -1, 2]), [6], new Int32Array([10, 3, 0, -4, -3, -1]), [6], [6]),
      [1024, -27, 1, 1, -1, 0],
    );
    expectEqual(B.maximum(a, s, b, s, s), [2147483647, 2, 46341, 4]);
    expectEqual(B.minimum(a, s, b, s, s), [1, -7, 46341, 3]);
    expectEqual(B.lt(a, s, b, s, s), [0, 1, 0, 1]);
  });

  it('int32 broadcasting matches the reference', () => {
    const a = randI32(12, 5);
    const b = randI32(3, 6);
    expectEqual(
      B.mul(a, [4, 3], b, [3], [4, 3]),
      refBinary((x, y) => x * y, a, [4, 3], b, [3], [4, 3]),
    );
  });

  it('comparisons on bool operands and NaN', () => {
    const a = new Uint8Array([0, 1, 1, 0]);
    const b = new Uint8Array([0, 1, 0, 1]);
    expectEqual(B.eq(a, [4], b, [4], [4]), [1, 1, 0, 0]);
    expectEqual(B.gt(a, [4], b, [4], [4]), [0, 0, 1, 0]);
    const n = new Float32Array([NaN, 1]);
    expectEqual(B.eq(n, [2], n, [2], [2]), [0, 1]);
    expectEqual(B.ne(n, [2], n, [2], [2]), [1, 0]);
    expectEqual(B.maximum(n, [2], new Float32Array([5]), [1], [2]), [NaN, 5]);
  });

  it('x > 0 against a scalar zero (the bit-pattern path) on every kind of float32, at an offset', () => {
    const bits = new Int32Array([
      0, -2147483648, 1, -2147483647, 8388607, 2139095039, 2139095040, -8388608, 2139095041, 2147483647, -1, -4194304,
      1065353216, -1082130432,
    ]);
    const x = new Float32Array(200);
    new Int32Array(x.buffer).set(bits, 70);
    x.set(randF32(50, 4), 100);
    const expected = Array.from(x, (v) => (v > 0 ? 1 : 0));
    expectEqual(B.gt(x, [200], new Float32Array([0]), [], [200]), expected);
    // a broadcast run that starts inside the array: [2, 100] > [1] walks rows at offsets 0 and 100
    expectEqual(B.gt(x, [2, 100], new Float32Array([0]), [1], [2, 100]), expected);
    expectEqual(
      B.gt(x, [200], new Float32Array([0.25]), [], [200]),
      Array.from(x, (v) => (v > 0.25 ? 1 : 0)),
    );
  });

  it('pow follows C/PyTorch special cases where Math.pow does not', () => {
    const a = new Float32Array([1, 1, -1, -1, NaN, 0, 0, -8, 2, -2]);
    const b = new Float32Array([NaN, Infinity, Infinity, -Infinity, 0, 0, -1, 1 / 3, -Infinity, 3]);
    expectEqual(B.pow(a, [10], b, [10], [10]), [1, 1, 1, 1, 1, 1, Infinity, NaN, 0, -8]);
  });

  it('large and tiny values', () => {
    const a = new Float32Array([3e38, 1e-38, -3e38, 1e-45]);
    const b = new Float32Array([3e38, 1e-38, 2, 2]);
    expectEqual(B.add(a, [4], b, [4], [4]), [Infinity, 2 * a[1]!, a[2]!, 2]);
    expectEqual(B.mul(a, [4], b, [4], [4]), [Infinity, 0, -Infinity, Math.fround(2 * a[3]!)]);
    expectEqual(B.div(a, [4], b, [4], [4]), [1, 1, Math.fround(a[2]! / 2), Math.fround(a[3]! / 2)]);
  });

  it('property: every op and broadcast shape agrees with the reference', () => {
    const dim = fc.integer({ min: 0, max: 4 });
    const shapeArb = fc.array(dim, { minLength: 0, maxLength: 4 });
    fc.assert(
      fc.property(
        shapeArb,
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.constantFrom(...ops),
        fc.integer(),
        (base, ones, op, seed) => {
          // b: a suffix of base with some dims set to 1, so the two always broadcast
          const sa = base.map((d, i) => (ones[i] ? 1 : d));
          const sb = base.slice(Math.floor(base.length / 2)).map((d, i) => (ones[(i + 1) % 4] ? d : 1));
          const outShape = broadcastShape(sa, sb);
          const a = randF32(size(sa), seed, op === 'pow' ? 0.1 : -3, 3);
          const b = randF32(size(sb), seed + 1, -3, 3);
          const out = impl[op](a, sa, b, sb, outShape);
          const expected = refBinary(ref[op], a, sa, b, sb, outShape);
          if (comparisons.has(op)) expectEqual(out, expected);
          else expectClose(out, expected.map(Math.fround), 1e-6, 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('where', () => {
  it('broadcasts all three operands', () => {
    const cond = new Uint8Array([1, 0, 1]);
    const a = randF32(6, 1);
    const b = new Float32Array([-100]);
    const out = B.where(cond, [3], a, [2, 3], b, [], [2, 3]);
    expectEqual(out, [a[0]!, -100, a[2]!, a[3]!, -100, a[5]!]);
    const outI = B.where(
      new Uint8Array([1, 0]),
      [2, 1],
      new Int32Array([1, 2, 3]),
      [3],
      new Int32Array([9]),
      [1],
      [2, 3],
    );
    expect(outI).toBeInstanceOf(Int32Array);
    expectEqual(outI, [1, 2, 3, 9, 9, 9]);
    expect(B.where(new Uint8Array(0), [0], a, [2, 3], b, [], [2, 0]).length).toBe(0);
    expectEqual(B.where(new Uint8Array([0]), [], new Float32Array([1]), [], new Float32Array([2]), [], []), [2]);
  });
});
