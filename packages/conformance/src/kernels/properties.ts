/**
 * fast-check properties: random broadcastable shape pairs for every binary kernel, and random
 * matmul shapes/transposes/batch broadcasts, against the host reference.
 */
import fc from 'fast-check';
import type { Shape } from '@flint/core/backend';
import {
  binaryRef,
  broadcastShape,
  host,
  mapBinary,
  matmulRef,
  randint,
  randn,
  Rng,
  type BinaryName,
  type HostTensor,
} from '../reference/index.js';

/** An output shape and two input shapes that broadcast to it (leading dims dropped, some dims 1). */
export const broadcastPair: fc.Arbitrary<[number[], number[]]> = fc
  .array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((out) =>
    fc.tuple(
      fc.integer({ min: 0, max: out.length }),
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      fc.constant(out),
    ),
  )
  .map(([da, db, oa, ob, out]) => {
    const a = out.slice(da).map((d, i) => (oa[i + da] ? 1 : d));
    const b = out.slice(db).map((d, i) => (ob[i + db] ? 1 : d));
    return [a, b];
  });

export const matmulShapes = fc
  .record({
    m: fc.integer({ min: 0, max: 6 }),
    k: fc.integer({ min: 0, max: 6 }),
    n: fc.integer({ min: 0, max: 6 }),
    batchA: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    batchB: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    ta: fc.boolean(),
    tb: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .filter(({ batchA, batchB }) => {
    try {
      broadcastShape(batchA, batchB);
      return true;
    } catch {
      return false;
    }
  });

export const BINARY_PROPERTY_OPS = Object.keys(binaryRef) as BinaryName[];

export function binaryInputs(op: BinaryName, a: Shape, b: Shape, seed: number): [HostTensor, HostTensor] {
  const rng = new Rng(seed);
  const gen = (s: Shape, which: number) => {
    if (op === 'pow')
      return which === 0
        ? host(
            s,
            'float32',
            randn(rng, s).data.map((v) => 0.1 + Math.abs(v)),
          )
        : randn(rng, s);
    if (op === 'div' && which === 1)
      return host(
        s,
        'float32',
        randn(rng, s).data.map((v) => (v < 0 ? v - 0.25 : v + 0.25)),
      );
    if (['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(op)) return host(s, 'float32', randint(rng, s, -2, 3).data);
    return randn(rng, s, 2);
  };
  return [gen(a, 0), gen(b, 1)];
}

export { mapBinary, matmulRef, randn, Rng };
