import { describe, expect, it } from 'vitest';
import * as U from './unary.js';
import { expectClose, expectEqual, randF32 } from './test-reference.js';

const special = new Float32Array([
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1e-30,
  -1e-30,
  1e30,
  -1e30,
  88,
  -88,
  100,
  -100,
  Infinity,
  -Infinity,
  NaN,
]);
const values = new Float32Array([...randF32(200, 7, -5, 5), ...special]);

const floatCases: [string, (x: Float32Array) => Float32Array, (x: number) => number][] = [
  ['exp', U.exp, Math.exp],
  ['log', U.log, Math.log],
  ['sqrt', U.sqrt, Math.sqrt],
  ['rsqrt', U.rsqrt, (x) => 1 / Math.sqrt(x)],
  ['reciprocal', U.reciprocal, (x) => 1 / x],
  ['sin', U.sin, Math.sin],
  ['cos', U.cos, Math.cos],
  ['tanh', U.tanh, Math.tanh],
  ['sigmoid', U.sigmoid, (x) => (x === -Infinity ? 0 : 1 / (1 + Math.exp(-x)))],
  ['floor', U.floor, Math.floor],
  ['ceil', U.ceil, Math.ceil],
  ['log1p', U.log1p, Math.log1p],
  ['expm1', U.expm1, Math.expm1],
];

describe('float unary ops vs float64 reference', () => {
  for (const [name, f, ref] of floatCases) {
    it(name, () => {
      const out = f(values);
      expect(out).toBeInstanceOf(Float32Array);
      expectClose(
        out,
        Array.from(values, (v) => Math.fround(ref(v))),
        1e-6,
        0,
      );
    });
  }

  it('handles empty and rank-0 inputs', () => {
    expect(U.exp(new Float32Array(0)).length).toBe(0);
    expectClose(U.exp(new Float32Array([1])), [Math.fround(Math.E)], 1e-7, 0);
  });

  it('sigmoid is stable for large |x| (no NaN, exact limits)', () => {
    const out = U.sigmoid(new Float32Array([-1000, -100, -30, 30, 100, 1000]));
    expectClose(
      out,
      [
        0,
        Math.fround(Math.exp(-100)),
        Math.fround(Math.exp(-30) / (1 + Math.exp(-30))),
        Math.fround(1 / (1 + Math.exp(-30))),
        1,
        1,
      ],
      1e-6,
      0,
    );
    for (const v of out) expect(Number.isNaN(v)).toBe(false);
  });

  it('log1p / expm1 keep precision for tiny x', () => {
    const tiny = new Float32Array([1e-10, -1e-10, 1e-20, 1e-7]);
    expectClose(
      U.log1p(tiny),
      Array.from(tiny, (v) => v - (v * v) / 2),
      1e-6,
      0,
    );
    expectClose(
      U.expm1(tiny),
      Array.from(tiny, (v) => v + (v * v) / 2),
      1e-6,
      0,
    );
  });

  it('round is half-to-even like torch.round', () => {
    const x = new Float32Array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.4999, 2.5001, -3.7, 1e20, 7, 8388609]);
    expectEqual(U.round(x), [0, 2, 2, -0, -2, -2, 0, 3, -4, Math.fround(1e20), 7, 8388609]);
  });

  it('leakyRelu', () => {
    expectClose(U.leakyRelu(new Float32Array([-2, -0.5, 0, 3]), 0.1), [-0.2, -0.05, 0, 3].map(Math.fround), 1e-7, 0);
  });
});

describe('ops that also take int32', () => {
  const xi = new Int32Array([-5, -1, 0, 1, 7, 2147483647, -2147483648, 46341]);
  it('neg wraps like int32', () => {
    const out = U.neg(xi);
    expect(out).toBeInstanceOf(Int32Array);
    expectEqual(out, [5, 1, 0, -1, -7, -2147483647, -2147483648, -46341]);
  });
  it('abs', () => expectEqual(U.abs(xi), [5, 1, 0, 1, 7, 2147483647, -2147483648, 46341]));
  it('sign', () => expectEqual(U.sign(xi), [-1, -1, 0, 1, 1, 1, -1, 1]));
  it('square wraps like int32', () => expectEqual(U.square(xi), [25, 1, 0, 1, 49, 1, 0, Math.imul(46341, 46341)]));
  it('relu', () => expectEqual(U.relu(xi), [0, 0, 0, 1, 7, 2147483647, 0, 46341]));
  it('float32 versions', () => {
    const x = new Float32Array([-2.5, 0, 3, NaN]);
    expectEqual(U.neg(x), [2.5, -0, -3, NaN]);
    expectEqual(U.abs(x), [2.5, 0, 3, NaN]);
    expectEqual(U.sign(x), [-1, 0, 1, 0]);
    expectEqual(U.square(x), [6.25, 0, 9, NaN]);
    expectEqual(U.relu(x), [0, 0, 3, NaN]);
  });
  it('float32 relu (bit-pattern form) equals x < 0 ? 0 : x bit for bit: -0, both NaN signs, infinities, subnormals', () => {
    const bits = new Int32Array([
      0, -2147483648, 1, -2147483647, 8388607, -2139095041, 2139095040, -8388608, 2139095041, -8388607, -1, 2147483647,
      -4194304, 1065353216, -1082130432,
    ]);
    const x = new Float32Array(bits.length + 4096);
    new Int32Array(x.buffer).set(bits);
    x.set(randF32(4096, 9), bits.length);
    // expected bit patterns: +0 where x < 0, else x's own bits (-0 and NaN signs/payloads included)
    const xBits = new Int32Array(x.buffer);
    const expected = Array.from(x, (v, i) => (v < 0 ? 0 : xBits[i]!));
    const out = U.relu(x) as Float32Array;
    expectEqual(new Int32Array(out.buffer, out.byteOffset, out.length), expected);
  });
});
