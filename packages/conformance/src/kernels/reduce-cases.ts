/** Cases for sum/max/min/prod and argmax/argmin. */
import type { Shape } from '@flint/core/backend';
import {
  argReduceRef,
  host,
  randDistinct,
  randint,
  randn,
  randu,
  reduceRef,
  Rng,
  type HostTensor,
} from '../reference/index.js';
import { kc, sh, type ComputeCase } from './types.js';

type ReduceName = 'sum' | 'max' | 'min' | 'prod';

function reduceCases(op: ReduceName): ComputeCase[] {
  const rng = new Rng(4000 + ['sum', 'max', 'min', 'prod'].indexOf(op));
  const one = (name: string, x: HostTensor, axes: number[]): ComputeCase =>
    kc(
      `${op} ${name} ${sh(x.shape)} axes ${sh(axes)}`,
      [x],
      (k, [a]) => [k[op](a!, axes)],
      () => [reduceRef(op, x, axes)],
    );
  // prod stays well-scaled with values near ±1.
  const vals = (shape: Shape): HostTensor =>
    op === 'prod'
      ? host(
          shape,
          'float32',
          Array.from(randu(rng, shape, 0.5, 1.5).data, (v, i) => (i % 3 === 0 ? -v : v)),
        )
      : randn(rng, shape, 2);
  const cases = [
    one('', vals([3, 4]), [0]),
    one('', vals([3, 4]), [1]),
    one('all axes', vals([3, 4]), [0, 1]),
    one('', vals([2, 3, 4]), [0, 2]),
    one('', vals([2, 3, 4]), [1]),
    one('', vals([2, 3, 4, 5]), [1, 3]),
    one('rank-0', vals([]), []),
    one('size-1 dims', vals([1, 5, 1]), [0, 2]),
    one('over a size-1 axis', vals([4, 1]), [1]),
    one('non-reduced empty dim', vals([0, 3]), [1]),
    one('long row', vals([3, 1000]), [1]),
    op === 'prod'
      ? one('large and tiny values', host([2, 4], 'float32', [1e20, 1e-20, 3, 0.5, 1e-30, 1e10, 1e10, 1e10]), [1])
      : one('large and tiny values', host([2, 4], 'float32', [1e30, -1e30, 1e-30, 3, 3e38, 1, -1e-30, 2]), [1]),
    one('infinities', host([2, 3], 'float32', [Infinity, 1, 2, -Infinity, -1, -2]), [1]),
    one('NaN propagates', host([2, 3], 'float32', [NaN, 1, 2, 3, 4, 5]), [1]),
    one('int32', randint(rng, [3, 4], -9, 10), [1]),
    one('int32 all axes', randint(rng, [2, 3], -5, 6), [0, 1]),
  ];
  if (op === 'sum' || op === 'prod') {
    cases.push(one('empty reduction', vals([0, 3]), [0]));
    cases.push(one('empty reduction all axes', vals([2, 0]), [0, 1]));
    cases.push(one('int32 empty reduction', host([0, 2], 'int32', []), [0]));
  }
  if (op === 'sum') cases.push(one('1e5 elements', randn(rng, [100000]), [0]));
  if (op === 'prod') cases.push(one('underflow to 0', host([40], 'float32', new Array(40).fill(0.1)), [0]));
  return cases;
}

function argCases(op: 'argmax' | 'argmin'): ComputeCase[] {
  const rng = new Rng(4100 + (op === 'argmax' ? 0 : 1));
  const one = (name: string, x: HostTensor, axis: number): ComputeCase =>
    kc(
      `${op} ${name} ${sh(x.shape)} axis ${axis}`,
      [x],
      (k, [a]) => [k[op]!(a!, axis)],
      () => [argReduceRef(op, x, axis)],
    );
  return [
    one('', randDistinct(rng, [3, 4]), 0),
    one('', randDistinct(rng, [3, 4]), 1),
    one('', randDistinct(rng, [2, 3, 4]), 1),
    one('rank-1', randDistinct(rng, [7]), 0),
    one('size-1 axis', randn(rng, [1, 5]), 0),
    one('empty outer dim', randn(rng, [0, 3]), 1),
    one('ties pick the first', host([2, 4], 'float32', [1, 3, 3, 0, 2, 2, 2, 2]), 1),
    one('ties pick the first (min side)', host([2, 4], 'float32', [0, -1, 5, -1, 7, 7, 7, 7]), 1),
    one('infinities', host([2, 3], 'float32', [-Infinity, -Infinity, 1, Infinity, 2, Infinity]), 1),
    one('large and tiny values', host([6], 'float32', [1e-30, -1e-30, 3e38, -3e38, 0, 1e30]), 0),
    one('int32', randint(rng, [3, 5], -100, 100), 1),
    one('long row', randDistinct(rng, [2, 1000]), 1),
  ];
}

export function reductionKernelCases() {
  return {
    sum: reduceCases('sum'),
    max: reduceCases('max'),
    min: reduceCases('min'),
    prod: reduceCases('prod'),
    argmax: argCases('argmax'),
    argmin: argCases('argmin'),
  };
}
