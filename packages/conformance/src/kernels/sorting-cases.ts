/** Cases for sort (stable, NaN largest, both directions) and the cumulative scans. */
import type { ScanOp } from '@flint/core/backend';
import { cumulativeRef, host, randint, randn, randu, Rng, sortRef, type HostTensor } from '../reference/index.js';
import { kc, sh, type ComputeCase } from './types.js';

const rng = new Rng(7300);
const NaN_ = Number.NaN;

/** Values with many ties (a few distinct levels). */
function tied(shape: number[]): HostTensor {
  return host(
    shape,
    'float32',
    Array.from(randint(rng, shape, -3, 3).data, (v) => v * 0.5),
  );
}

export function sortCases(): ComputeCase[] {
  const one = (note: string, x: HostTensor, axis: number, descending: boolean): ComputeCase =>
    kc(
      `sort ${x.dtype} ${sh(x.shape)} axis ${axis}${descending ? ' descending' : ''}${note}`,
      [x],
      (k, [a]) => {
        const r = k.sort(a!, axis, descending);
        return [r.values, r.indices];
      },
      () => sortRef(x, axis, descending),
    );
  const special = host([10], 'float32', [1, NaN_, -0, 0, Infinity, -Infinity, 2, NaN_, -1, 0]);
  const both = (note: string, x: HostTensor, axis: number) => [one(note, x, axis, false), one(note, x, axis, true)];
  return [
    ...both('', randn(rng, [3, 5]), 1),
    ...both('', randn(rng, [4, 3]), 0),
    ...both(' (ties keep input order)', tied([3, 8]), 1),
    ...both(' (ties, middle axis)', tied([2, 7, 3]), 1),
    ...both(' (NaN largest, ±0 equal, ±inf)', special, 0),
    ...both(' (int32 with ties)', randint(rng, [3, 9], -4, 4), 1),
    ...both(' (int32 extremes)', host([5], 'int32', [2147483647, -2147483648, 0, -1, 2147483647]), 0),
    ...both(' (size-1 axis)', randn(rng, [4, 1]), 1),
    ...both(' (empty axis)', host([3, 0], 'float32', []), 1),
    ...both(' (empty outer)', host([0, 4], 'float32', []), 1),
    ...both(' (long rows)', randn(rng, [2, 5000]), 1),
    ...both(' (long rows with ties)', tied([2, 4500]), 1),
    ...both(' (first of three axes)', randn(rng, [5, 2, 3]), 0),
  ];
}

/** Values kept near ±1 so that long products stay representable. */
function nearOne(shape: number[]): HostTensor {
  return host(
    shape,
    'float32',
    Array.from(randu(rng, shape, 0.9, 1.11).data, (v, i) => (i % 5 === 0 ? -v : v)),
  );
}

export function cumulativeCases(): ComputeCase[] {
  const one = (op: ScanOp, note: string, x: HostTensor, axis: number): ComputeCase =>
    kc(
      `cumulative ${op} ${x.dtype} ${sh(x.shape)} axis ${axis}${note}`,
      [x],
      (k, [a]) => [k.cumulative(a!, axis, op)],
      () => [cumulativeRef(x, axis, op)],
    );
  const special = host([8], 'float32', [1, -2, Infinity, 3, NaN_, 5, -Infinity, 0]);
  const cases: ComputeCase[] = [];
  for (const op of ['sum', 'prod', 'max', 'min'] as const) {
    const vals = (shape: number[]) => (op === 'prod' ? nearOne(shape) : randn(rng, shape, 2));
    cases.push(
      one(op, '', vals([3, 6]), 1),
      one(op, '', vals([5, 3]), 0),
      one(op, ' (middle axis)', vals([2, 6, 3]), 1),
      one(op, ' (NaN and ±inf)', special, 0),
      one(op, ' (ties)', tied([3, 7]), 1),
      one(op, ' (int32)', randint(rng, [3, 6], -5, 6), 1),
      one(op, ' (size-1 axis)', vals([4, 1]), 1),
      one(op, ' (empty axis)', host([3, 0], 'float32', []), 1),
      one(op, ' (empty outer)', host([0, 5], 'float32', []), 1),
      one(op, ' (long rows)', vals([2, 9000]), 1),
      one(op, ' (long column)', vals([5000, 2]), 0),
    );
  }
  cases.push(one('prod', ' (zeros)', host([2, 4], 'float32', [2, 0, 3, 4, 0, 0, 5, 1]), 1));
  return cases;
}
