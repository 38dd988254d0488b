/** Cases for gather, scatterAdd, indexSelect. */
import {
  gatherRef,
  host,
  indexSelectRef,
  randint,
  randn,
  Rng,
  scatterAddRef,
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
      (k, [a, i]) => [k.indexSelect(a!, axis, i!)],
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
