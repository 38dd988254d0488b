/**
 * The WebAssembly SIMD loops (elementwise-wasm.ts) against the JavaScript loops they replace:
 * every result bit for bit, on sizes that take the SIMD path (≥ 256 elements, across chunk
 * boundaries, lengths that are not whole vectors) and on data that mixes ordinary values with
 * every kind of float32 (random bit patterns: NaNs with payloads, subnormals, infinities, -0).
 * Each case runs with its operands and outputs in JavaScript arrays (every operand copied into
 * the module), in the storage heap (passed by address, written in place), and mixed.
 */
import type { AdamStepOptions, SgdStepOptions } from '@flint/core/backend';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adamStep, adamStepJs } from './adam-step.js';
import { add, div, gt, mul, sub, where } from './binary.js';
import { setHeapStorage } from './buffers.js';
import { elementwiseSimdAvailable, setElementwiseSimd } from './elementwise-wasm.js';
import { heap } from './heap.js';
import { sum } from './reduce.js';
import { reluBackward } from './relu-backward.js';
import { sgdStep, sgdStepJs } from './sgd-step.js';
import { rng } from './test-reference.js';
import { relu } from './unary.js';

const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38, 1, -1];

type Placement = 'JavaScript arrays' | 'heap arrays' | 'mixed arrays';
/** Where data() puts its arrays (kernel outputs follow setHeapStorage). */
let placement: Placement = 'JavaScript arrays';

/**
 * n float32 values: ordinary ones, random bit patterns (every kind of float32) and specials; in a
 * JavaScript array or a heap block as `placement` says (mixed: by the seed's parity).
 */
function data(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const inHeap = placement === 'heap arrays' || (placement === 'mixed arrays' && (seed & 1) === 0);
  const out = (inHeap ? heap?.takeF32(n) : null) ?? new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.6) out[i] = (r() - 0.5) * 6;
    else if (k < 0.9) bits[i] = Math.floor(r() * 2 ** 32);
    else out[i] = SPECIALS[Math.floor(r() * SPECIALS.length)]!;
  }
  return out;
}

/** The bit patterns, so NaN payloads and -0 are compared too. */
const bitsOf = (a: Float32Array | Uint8Array): number[] =>
  Array.from(a instanceof Float32Array ? new Uint32Array(a.buffer, a.byteOffset, a.length) : a);

/**
 * The bit patterns with every NaN as one value: the sign and payload of a NaN that arithmetic
 * produces are unspecified (IEEE 754, JavaScript and WebAssembly alike). x86's SIMD gives the
 * negative default NaN for inf - inf, where V8's scalar path stores the positive one; relu,
 * which only selects, is compared with bitsOf.
 */
const valueBits = (a: Float32Array): (number | 'NaN')[] => {
  const bits = bitsOf(a);
  return bits.map((b, i) => (Number.isNaN(a[i]) ? 'NaN' : b));
};

/** f with the SIMD loops on and with them off. */
function both<T>(f: () => T): { simd: T; js: T } {
  setElementwiseSimd(true);
  const simd = f();
  setElementwiseSimd(false);
  const js = f();
  setElementwiseSimd(true);
  return { simd, js };
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

const placements: Placement[] =
  heap === null ? ['JavaScript arrays'] : ['JavaScript arrays', 'heap arrays', 'mixed arrays'];

describe.runIf(elementwiseSimdAvailable).each(placements)(
  'WebAssembly SIMD elementwise loops = the JavaScript loops, bit for bit (%s)',
  (where_) => {
    let heapWas = false;
    beforeAll(() => {
      placement = where_;
      heapWas = heap !== null && setHeapStorage(where_ !== 'JavaScript arrays');
    });
    afterAll(() => {
      placement = 'JavaScript arrays';
      if (heap !== null) setHeapStorage(heapWas);
    });
    afterEach(() => {
      setElementwiseSimd(true);
    });

    const ops = { add, sub, mul, div };

    it('binary ops: same shape, scalar on either side, row / column / channel broadcasts', () => {
      const layouts = fc.oneof(
        fc.integer({ min: 256, max: 20000 }).map((n) => [[n], [n]]),
        fc.integer({ min: 256, max: 20000 }).map((n) => [[n], []]),
        fc.integer({ min: 256, max: 20000 }).map((n) => [[1], [n]]),
        fc.tuple(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 16, max: 600 })).map(([r, c]) => [[r, c], [c]]),
        fc.tuple(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 16, max: 600 })).map(([r, c]) => [[c], [r, c]]),
        fc.tuple(fc.integer({ min: 16, max: 70 }), fc.integer({ min: 16, max: 300 })).map(([r, c]) => [
          [r, c],
          [r, 1],
        ]),
        fc
          .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 4, max: 12 }))
          .map(([n, c, h]) => [
            [n, c, h, h],
            [1, c, 1, 1],
          ]),
        // runs too short for the module, and a transposed pair: the JavaScript loop runs them
        fc.integer({ min: 30, max: 300 }).map((r) => [[r, 9], [9]]),
        fc.integer({ min: 17, max: 40 }).map((r) => [
          [r, 1],
          [1, r],
        ]),
      );
      fc.assert(
        fc.property(
          layouts,
          fc.constantFrom(...(Object.keys(ops) as (keyof typeof ops)[])),
          fc.integer(),
          fc.boolean(),
          ([sa, sb], op, seed, swap) => {
            const [aShape, bShape] = swap ? [sb!, sa!] : [sa!, sb!];
            const outShape = aShape.length >= bShape.length ? aShape : bShape;
            const a = data(size(aShape), seed);
            const b = data(size(bShape), seed + 1);
            const { simd, js } = both(() => ops[op](a, aShape, b, bShape, outShape) as Float32Array);
            expect(valueBits(simd)).toEqual(valueBits(js));
          },
        ),
        { numRuns: 150 },
      );
    });

    it('x > s against a scalar (0 and others), lengths that are not whole 16-element blocks', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 256, max: 20000 }),
          fc.constantFrom(0, -0, 0.5, -1, NaN, Infinity),
          fc.integer(),
          (n, s, seed) => {
            const x = data(n, seed);
            const { simd, js } = both(() => gt(x, [n], new Float32Array([s]), [], [n]));
            expect(bitsOf(simd)).toEqual(bitsOf(js));
          },
        ),
        { numRuns: 60 },
      );
    });

    it('where(cond, a, b) with a and b whole or scalar keeps every bit of the chosen value', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 256, max: 20000 }),
          fc.boolean(),
          fc.boolean(),
          fc.integer(),
          (n, aScalar, bScalar, seed) => {
            const r = rng(seed);
            const cond = Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
            const aShape = aScalar ? [] : [n];
            const bShape = bScalar ? [] : [n];
            const a = data(aScalar ? 1 : n, seed + 1);
            const b = data(bScalar ? 1 : n, seed + 2);
            const { simd, js } = both(() => where(cond, [n], a, aShape, b, bShape, [n]) as Float32Array);
            expect(valueBits(simd)).toEqual(valueBits(js));
            // and bit for bit the chosen input (the JavaScript loop quiets signalling NaNs on the
            // way through a double; the select does not)
            const [aBits, bBits] = [bitsOf(a), bitsOf(b)];
            expect(bitsOf(simd)).toEqual(
              Array.from(cond, (c, i) => (c ? aBits[aScalar ? 0 : i] : bBits[bScalar ? 0 : i])),
            );
          },
        ),
        { numRuns: 60 },
      );
    });

    it('reluBackward (y > 0 ? dy : 0) in one pass equals the scalar loop', () => {
      fc.assert(
        fc.property(fc.integer({ min: 256, max: 20000 }), fc.integer(), (n, seed) => {
          const dy = data(n, seed);
          const y = data(n, seed + 1);
          const { simd, js } = both(() => reluBackward(dy, y));
          expect(valueBits(simd)).toEqual(valueBits(js));
        }),
        { numRuns: 60 },
      );
    });

    it('relu keeps -0 and every NaN payload', () => {
      fc.assert(
        fc.property(fc.integer({ min: 256, max: 20000 }), fc.integer(), (n, seed) => {
          const x = data(n, seed);
          const { simd, js } = both(() => relu(x) as Float32Array);
          expect(bitsOf(simd)).toEqual(bitsOf(js));
        }),
        { numRuns: 60 },
      );
    });

    it('column sums (sum over the leading axes), float64 accumulation in row order', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 300 }),
          fc.integer({ min: 16, max: 700 }),
          fc.boolean(),
          fc.integer(),
          (rows, cols, split, seed) => {
            const x = data(rows * cols, seed);
            // the same reduction as [rows, cols] over [0], or [2, rows, cols] over [0, 1]
            const shape = split && rows % 2 === 0 ? [2, rows / 2, cols] : [rows, cols];
            const axes = shape.length === 3 ? [0, 1] : [0];
            const { simd, js } = both(() => sum(x, shape, axes) as Float32Array);
            expect(valueBits(simd)).toEqual(valueBits(js));
          },
        ),
        { numRuns: 80 },
      );
    });

    it('sgdStep: every option combination, chunk-crossing lengths', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 256, max: 20000 }),
          fc.record({
            lr: fc.constantFrom(0.05, 0.1, 1e-3),
            momentum: fc.constantFrom(0, 0.9, 0.5),
            dampening: fc.constantFrom(0, 0.1),
            weightDecay: fc.constantFrom(0, 1e-4, 0.3),
            nesterov: fc.boolean(),
            maximize: fc.boolean(),
            firstStep: fc.boolean(),
          }),
          fc.boolean(),
          fc.integer(),
          (n, options: SgdStepOptions, withBuffer, seed) => {
            const p = data(n, seed);
            const g = data(n, seed + 1);
            const m = withBuffer ? data(n, seed + 2) : null;
            const p2 = p.slice();
            const m2 = m?.slice() ?? null;
            sgdStep(p, g, m, options);
            sgdStepJs(p2, g, m2, options);
            expect(valueBits(p)).toEqual(valueBits(p2));
            if (m !== null) expect(valueBits(m)).toEqual(valueBits(m2!));
          },
        ),
        { numRuns: 80 },
      );
    });

    it('adamStep: Adam / AdamW, amsgrad, maximize, chunk-crossing lengths', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 256, max: 20000 }),
          fc.record({
            lr: fc.constantFrom(1e-3, 0.01),
            beta1: fc.constantFrom(0.9, 0.5),
            beta2: fc.constantFrom(0.999, 0.9),
            eps: fc.constantFrom(1e-8, 1e-3),
            weightDecay: fc.constantFrom(0, 0.01),
            decoupledWeightDecay: fc.boolean(),
            maximize: fc.boolean(),
            step: fc.integer({ min: 1, max: 50 }),
          }),
          fc.boolean(),
          fc.integer(),
          (n, options: AdamStepOptions, amsgrad, seed) => {
            const [p, g, m, v] = [data(n, seed), data(n, seed + 1), data(n, seed + 2), data(n, seed + 3)];
            const vmax = amsgrad ? data(n, seed + 4) : null;
            const [p2, m2, v2] = [p.slice(), m.slice(), v.slice()];
            const vmax2 = vmax?.slice() ?? null;
            adamStep(p, g, m, v, vmax, options);
            adamStepJs(p2, g, m2, v2, vmax2, options);
            expect(valueBits(p)).toEqual(valueBits(p2));
            expect(valueBits(m)).toEqual(valueBits(m2));
            expect(valueBits(v)).toEqual(valueBits(v2));
            if (vmax !== null) expect(valueBits(vmax)).toEqual(valueBits(vmax2!));
          },
        ),
        { numRuns: 60 },
      );
    });
  },
);

describe('elementwise SIMD switch', () => {
  it('refuses to turn on where the module did not load, and reports the previous setting', () => {
    if (!elementwiseSimdAvailable) {
      expect(() => setElementwiseSimd(true)).toThrow(/not available/);
      return;
    }
    expect(setElementwiseSimd(false)).toBe(true);
    expect(setElementwiseSimd(true)).toBe(false);
  });
});
