/** Differential cases for sort (ties and NaN, both directions) and the cumulative scans. */
import { host, randint, randn, Rng } from '../reference/index.js';
import { type CaseList, f32, i32 } from './types.js';

export function sortingCases(list: CaseList): void {
  const rng = new Rng(7400);
  const tied = host(
    [3, 6],
    'float32',
    Array.from(randint(rng, [3, 6], -2, 2).data, (v) => v * 0.5),
  );
  tied.data[4] = Number.NaN;
  for (const descending of [false, true]) {
    const dir = descending ? ' descending' : '';
    list.add(
      'sort',
      `sort [3,6] axis 1 with ties and NaN${dir}`,
      [tied],
      (k, [x]) => {
        const r = k.sort(x!, 1, descending);
        return [r.values, r.indices];
      },
      [f32([3, 6]), i32([3, 6])],
    );
    list.add(
      'sort',
      `sort [4,3,2] axis 1${dir}`,
      [randn(rng, [4, 3, 2])],
      (k, [x]) => {
        const r = k.sort(x!, 1, descending);
        return [r.values, r.indices];
      },
      [f32([4, 3, 2]), i32([4, 3, 2])],
    );
  }
  for (const op of ['sum', 'prod', 'max', 'min'] as const) {
    list.add(
      'cumulative',
      `cumulative ${op} [3,5] axis 1`,
      [randn(rng, [3, 5])],
      (k, [x]) => [k.cumulative(x!, 1, op)],
      [f32([3, 5])],
    );
  }
  list.add(
    'cumulative',
    'cumulative sum int32 [4,3] axis 0',
    [randint(rng, [4, 3], -9, 9)],
    (k, [x]) => [k.cumulative(x!, 0, 'sum')],
    [i32([4, 3])],
  );
}
