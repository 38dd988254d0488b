/** Differential cases for the scatter kernel: every reduction, duplicates, index smaller than x, int32 and bool. */
import type { Shape } from '@flint/core/backend';
import { host, randbool, randint, randn, randu, Rng } from '../reference/index.js';
import { bool, type CaseList, f32, i32 } from './types.js';

export function scatterCases(list: CaseList): void {
  const uniform = (seed: number, shape: Shape) => randu(new Rng(seed), shape, -2, 2);
  const rng = new Rng(31);
  const dup = host([3, 4], 'int32', [0, 0, 4, 1, 2, 2, 2, 3, 1, 1, 0, 1]);
  for (const reduce of ['none', 'sum', 'prod', 'amax', 'amin'] as const) {
    for (const includeSelf of [true, false]) {
      if (reduce === 'none' && !includeSelf) continue;
      list.add(
        'scatter',
        `scatter ${reduce}${includeSelf ? '' : ' not including self'} axis 1 with duplicates`,
        [uniform(130, [3, 5]), dup, uniform(131, [3, 4])],
        (k, [x, i, s]) => [k.scatter(x!, 1, i!, s!, reduce, includeSelf)],
        [f32([3, 5])],
      );
    }
  }
  list.add(
    'scatter',
    'scatter sum axis 0 of [4,2,3], index smaller than x',
    [randn(rng, [4, 2, 3]), randint(rng, [6, 1, 2], 0, 4), randn(rng, [6, 1, 2])],
    (k, [x, i, s]) => [k.scatter(x!, 0, i!, s!, 'sum', false)],
    [f32([4, 2, 3])],
  );
  list.add(
    'scatter',
    'scatter amax int32',
    [randint(rng, [5], -9, 9), randint(rng, [8], 0, 5), randint(rng, [8], -9, 9)],
    (k, [x, i, s]) => [k.scatter(x!, 0, i!, s!, 'amax', true)],
    [i32([5])],
  );
  list.add(
    'scatter',
    'scatter bool overwrite',
    [randbool(rng, [2, 5]), randint(rng, [2, 3], 0, 5), randbool(rng, [2, 3])],
    (k, [x, i, s]) => [k.scatter(x!, 1, i!, s!, 'none', true)],
    [bool([2, 5])],
  );
}
