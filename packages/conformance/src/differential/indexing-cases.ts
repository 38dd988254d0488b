/** Differential cases for gather, scatterAdd (duplicate indices) and indexSelect. */
import type { Shape } from '@flint/core/backend';
import { host, randbool, randint, randn, randu, Rng } from '../reference/index.js';
import { bool, type CaseList, f32, i32 } from './types.js';

export function indexingCases(list: CaseList): void {
  const uniform = (seed: number, shape: Shape) => randu(new Rng(seed), shape, -2, 2);
  list.add(
    'gather',
    'gather axis 1, fixed indices',
    [uniform(90, [3, 4]), host([3, 2], 'int32', [0, 3, 2, 2, 1, 0])],
    (k, [x, i]) => [k.gather(x!, 1, i!)],
    [f32([3, 2])],
  );
  list.add(
    'gather',
    'gather axis 0, fixed indices',
    [uniform(91, [3, 4]), host([2, 4], 'int32', [2, 0, 1, 2, 0, 0, 2, 1])],
    (k, [x, i]) => [k.gather(x!, 0, i!)],
    [f32([2, 4])],
  );
  list.add(
    'scatterAdd',
    'scatterAdd axis 1 with duplicates',
    [uniform(92, [3, 5]), host([3, 3], 'int32', [0, 0, 4, 1, 2, 1, 3, 3, 3]), uniform(93, [3, 3])],
    (k, [x, i, s]) => [k.scatterAdd(x!, 1, i!, s!)],
    [f32([3, 5])],
  );
  list.add(
    'scatterAdd',
    'scatterAdd axis 0, index smaller than src',
    [uniform(94, [4, 3]), host([2, 2], 'int32', [3, 0, 3, 3]), uniform(95, [3, 3])],
    (k, [x, i, s]) => [k.scatterAdd(x!, 0, i!, s!)],
    [f32([4, 3])],
  );
  list.add(
    'indexSelect',
    'indexSelect axis 1 of [2,5,3]',
    [uniform(96, [2, 5, 3]), host([4], 'int32', [4, 0, 4, 2])],
    (k, [x, i]) => [k.indexSelect!(x!, 1, i!)],
    [f32([2, 4, 3])],
  );

  const rng = new Rng(5);
  list.add(
    'gather',
    'gather axis 1',
    [randn(rng, [3, 5]), randint(rng, [3, 4], 0, 5)],
    (k, [x, i]) => [k.gather(x!, 1, i!)],
    [f32([3, 4])],
  );
  list.add(
    'gather',
    'gather axis 0 of [4,2,3]',
    [randn(rng, [4, 2, 3]), randint(rng, [2, 2, 3], 0, 4)],
    (k, [x, i]) => [k.gather(x!, 0, i!)],
    [f32([2, 2, 3])],
  );
  list.add(
    'gather',
    'gather bool',
    [randbool(rng, [2, 5]), randint(rng, [2, 3], 0, 5)],
    (k, [x, i]) => [k.gather(x!, 1, i!)],
    [bool([2, 3])],
  );
  list.add(
    'scatterAdd',
    'scatterAdd duplicates sum',
    [randn(rng, [3, 4]), randint(rng, [3, 6], 0, 4), randn(rng, [3, 6])],
    (k, [x, i, s]) => [k.scatterAdd(x!, 1, i!, s!)],
    [f32([3, 4])],
  );
  list.add(
    'scatterAdd',
    'scatterAdd src larger than index',
    [randn(rng, [4, 3]), randint(rng, [2, 3], 0, 4), randn(rng, [3, 3])],
    (k, [x, i, s]) => [k.scatterAdd(x!, 0, i!, s!)],
    [f32([4, 3])],
  );
  list.add(
    'scatterAdd',
    'scatterAdd int32',
    [randint(rng, [5], 0, 3), randint(rng, [7], 0, 5), randint(rng, [7], -3, 3)],
    (k, [x, i, s]) => [k.scatterAdd(x!, 0, i!, s!)],
    [i32([5])],
  );
  list.add(
    'indexSelect',
    'indexSelect axis 1 (embedding-style)',
    [randn(rng, [3, 6]), randint(rng, [4], 0, 6)],
    (k, [x, i]) => [k.indexSelect!(x!, 1, i!)],
    [f32([3, 4])],
  );
}
