/** Cases for gather, scatterAdd, indexSelect, scatter. */
import {
  gatherRef,
  host,
  indexSelectRef,
  randint,
  randn,
  Rng,
  scatterAddRef,
  scatterRef,
  type HostTensor,
} from '../reference/index.js';
import { kc, sh, type ComputeCase } from './types.js';

const rng = new Rng(7000);

export function gatherCases(): ComputeCase[] {
  const one = (note: string, x: HostTensor, axis: number, index: HostTensor): ComputeCase =>
    kc(
      `gather ${x.dtype} ${sh(x.shape)} axis ${axis} index ${sh(index.shape)}${note}`,
      [x, index],
      (k, [a, i]) => [k.gather(a!, axis, i!)],
      () => [gatherRef(x, axis, index)],
    );
  return [
    one(' (duplicates)', randn(rng, [3, 4]), 1, host([3, 2], 'int32', [0, 0, 3, 1, 2, 2])),
    one('', randn(rng, [3, 4]), 0, randint(rng, [5, 4], 0, 3)),
    one(' (index smaller than x)', randn(rng, [3, 4]), 1, randint(rng, [2, 2], 0, 4)),
    one('', randn(rng, [2, 3, 4]), 2, randint(rng, [2, 3, 6], 0, 4)),
    one('', randn(rng, [2, 3, 4]), 1, randint(rng, [2, 1, 4], 0, 3)),
    one(' (empty index)', randn(rng, [3, 4]), 1, host([3, 0], 'int32', [])),
    one(' (rank-1)', randn(rng, [5]), 0, host([7], 'int32', [4, 0, 4, 1, 2, 3, 0])),
    one('', randint(rng, [3, 3], -50, 50), 0, randint(rng, [2, 3], 0, 3)),
    one(' (cross-entropy pattern)', randn(rng, [4, 10]), 1, randint(rng, [4, 1], 0, 10)),
  ];
}

export function scatterAddCases(): ComputeCase[] {
  const one = (note: string, x: HostTensor, axis: number, index: HostTensor, src: HostTensor): ComputeCase =>
    kc(
      `scatterAdd ${x.dtype} ${sh(x.shape)} axis ${axis} index ${sh(index.shape)} src ${sh(src.shape)}${note}`,
      [x, index, src],
      (k, [a, i, s]) => [k.scatterAdd(a!, axis, i!, s!)],
      () => [scatterAddRef(x, axis, index, src)],
    );
  return [
    one(
      ' (duplicates sum)',
      randn(rng, [3, 5]),
      1,
      host([3, 3], 'int32', [0, 0, 0, 4, 1, 4, 2, 2, 3]),
      randn(rng, [3, 3]),
    ),
    one(
      ' (duplicates sum)',
      randn(rng, [3, 4]),
      0,
      host([4, 4], 'int32', [0, 1, 2, 0, 0, 1, 2, 0, 2, 2, 2, 2, 1, 0, 0, 1]),
      randn(rng, [4, 4]),
    ),
    one(' (src larger than index)', randn(rng, [3, 4]), 1, randint(rng, [2, 3], 0, 4), randn(rng, [3, 5])),
    one('', randn(rng, [2, 3, 4]), 2, randint(rng, [2, 3, 6], 0, 4), randn(rng, [2, 3, 6])),
    one(
      ' (zeros target, all to one slot)',
      host([2, 3], 'float32', [0, 0, 0, 0, 0, 0]),
      1,
      host([2, 4], 'int32', [1, 1, 1, 1, 2, 2, 2, 2]),
      randn(rng, [2, 4]),
    ),
    one(' (empty index)', randn(rng, [3, 4]), 1, host([3, 0], 'int32', []), randn(rng, [3, 0])),
    one(' (int32)', randint(rng, [3, 3], -10, 10), 0, randint(rng, [4, 3], 0, 3), randint(rng, [4, 3], -10, 10)),
    one(
      ' (many duplicates, embedding-backward pattern)',
      host([4], 'float32', [0, 0, 0, 0]),
      0,
      randint(rng, [200], 0, 4),
      randn(rng, [200]),
    ),
  ];
}

export function indexSelectCases(): ComputeCase[] {
  const one = (note: string, x: HostTensor, axis: number, index: HostTensor): ComputeCase =>
    kc(
      `indexSelect ${x.dtype} ${sh(x.shape)} axis ${axis} index ${sh(index.shape)}${note}`,
      [x, index],
      (k, [a, i]) => [k.indexSelect!(a!, axis, i!)],
      () => [indexSelectRef(x, axis, index)],
    );
  return [
    one(' (duplicates)', randn(rng, [4, 3]), 0, host([4], 'int32', [2, 0, 2, 3])),
    one('', randn(rng, [4, 3]), 1, host([2], 'int32', [2, 0])),
    one(' (empty index)', randn(rng, [4, 3]), 0, host([0], 'int32', [])),
    one('', randn(rng, [2, 3, 4]), 1, host([5], 'int32', [1, 1, 0, 2, 2])),
    one(' (int32)', randint(rng, [5, 2], -9, 9), 0, host([3], 'int32', [4, 0, 4])),
    one(' (bool)', host([3, 2], 'bool', [1, 0, 0, 1, 1, 1]), 0, host([2], 'int32', [2, 1])),
    one(' (embedding pattern)', randn(rng, [10, 8]), 0, randint(rng, [20], 0, 10)),
    one(' (rank-1)', randn(rng, [6]), 0, host([3], 'int32', [5, 0, 5])),
  ];
}

export function scatterCases(): ComputeCase[] {
  type Reduction = 'none' | 'sum' | 'prod' | 'amax' | 'amin';
  const one = (
    note: string,
    x: HostTensor,
    axis: number,
    index: HostTensor,
    src: HostTensor,
    reduce: Reduction,
    includeSelf = true,
  ): ComputeCase =>
    kc(
      `scatter ${reduce}${includeSelf ? '' : ' (not including self)'} ${x.dtype} ${sh(x.shape)} axis ${axis} index ${sh(index.shape)}${note}`,
      [x, index, src],
      (k, [a, i, s]) => [k.scatter(a!, axis, i!, s!, reduce, includeSelf)],
      () => [scatterRef(x, axis, index, src, reduce, includeSelf)],
    );
  // Row 0 sends three values to column 0 and two to column 4; column 2 and row 2's column 0 get none.
  const dupIndex = host([3, 3], 'int32', [0, 0, 0, 4, 1, 4, 2, 2, 3]);
  const cases: ComputeCase[] = [];
  for (const reduce of ['none', 'sum', 'prod', 'amax', 'amin'] as const) {
    cases.push(one(' (duplicates)', randn(rng, [3, 5]), 1, dupIndex, randn(rng, [3, 3]), reduce));
    if (reduce !== 'none')
      cases.push(one(' (duplicates)', randn(rng, [3, 5]), 1, dupIndex, randn(rng, [3, 3]), reduce, false));
    cases.push(
      one(
        ' (int32, duplicates)',
        randint(rng, [4, 3], -6, 6),
        0,
        randint(rng, [5, 3], 0, 4),
        randint(rng, [5, 3], -4, 4),
        reduce,
        reduce !== 'prod',
      ),
    );
  }
  cases.push(
    one(
      ' (index smaller than x off the axis)',
      randn(rng, [4, 5]),
      0,
      randint(rng, [3, 2], 0, 4),
      randn(rng, [3, 2]),
      'none',
    ),
    one(
      ' (index smaller than x off the axis)',
      randn(rng, [4, 5]),
      0,
      randint(rng, [3, 2], 0, 4),
      randn(rng, [3, 2]),
      'amax',
      false,
    ),
    one(
      ' (rank 3, last axis)',
      randn(rng, [2, 3, 4]),
      2,
      randint(rng, [2, 3, 6], 0, 4),
      randn(rng, [2, 3, 6]),
      'sum',
      false,
    ),
    one(
      ' (rank 3, middle axis)',
      randn(rng, [2, 3, 4]),
      1,
      randint(rng, [2, 5, 4], 0, 3),
      randn(rng, [2, 5, 4]),
      'prod',
    ),
    one(' (empty index)', randn(rng, [3, 4]), 1, host([3, 0], 'int32', []), randn(rng, [3, 0]), 'none'),
    one(' (empty index)', randn(rng, [3, 4]), 1, host([3, 0], 'int32', []), randn(rng, [3, 0]), 'sum', false),
    one(' (empty x)', randn(rng, [0, 4]), 1, host([0, 2], 'int32', []), randn(rng, [0, 2]), 'amin'),
    one(
      ' (size-1 dims)',
      randn(rng, [1, 3, 1]),
      1,
      host([1, 4, 1], 'int32', [2, 0, 2, 2]),
      randn(rng, [1, 4, 1]),
      'sum',
    ),
    one(
      ' (rank-1, all to one slot)',
      host([3], 'float32', [1, 2, 3]),
      0,
      host([4], 'int32', [1, 1, 1, 1]),
      host([4], 'float32', [0.5, -2, 4, 0.25]),
      'prod',
      false,
    ),
    one(
      ' (NaN propagates)',
      host([2, 2], 'float32', [1, Number.NaN, 3, 4]),
      1,
      host([2, 2], 'int32', [0, 1, 0, 0]),
      host([2, 2], 'float32', [Number.NaN, 5, 2, 7]),
      'amax',
    ),
    one(
      ' (NaN propagates)',
      host([2, 2], 'float32', [1, Number.NaN, 3, 4]),
      1,
      host([2, 2], 'int32', [0, 1, 0, 0]),
      host([2, 2], 'float32', [Number.NaN, 5, 2, 7]),
      'amin',
      false,
    ),
    one(
      ' (bool overwrite)',
      host([2, 3], 'bool', [0, 1, 0, 1, 0, 1]),
      1,
      host([2, 2], 'int32', [2, 0, 1, 1]),
      host([2, 2], 'bool', [1, 0, 1, 0]),
      'none',
    ),
    one(
      ' (many duplicates)',
      host([4], 'float32', [0, 0, 0, 0]),
      0,
      randint(rng, [200], 0, 4),
      randn(rng, [200]),
      'sum',
    ),
  );
  return cases;
}
