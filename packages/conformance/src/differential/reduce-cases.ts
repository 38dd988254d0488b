/** Differential cases for the reductions and arg-reductions. */
import { host, randbool, randint, randn, randu, Rng } from '../reference/index.js';
import { bool, type CaseList, f32, i32 } from './types.js';

export function reduceCases(list: CaseList): void {
  // Every reduction over leading, trailing, inner, split and all axes of a rank-4 input.
  const x4 = randu(new Rng(60), [2, 3, 4, 5], -2, 2);
  const positive = randu(new Rng(61), [2, 3, 4, 5], 0.7, 1.3);
  for (const op of ['sum', 'max', 'min', 'prod'] as const) {
    for (const axes of [[0], [3], [1, 2], [0, 2], [0, 1, 2, 3]]) {
      const kept = x4.shape.filter((_, i) => !axes.includes(i));
      list.add(op, `${op} [2,3,4,5] axes [${axes}]`, [op === 'prod' ? positive : x4], (k, [a]) => [k[op](a!, axes)], [
        f32(kept),
      ]);
    }
  }
  // Sizes past one pass of a GPU reduction.
  list.add('sum', 'sum 9000 elements (two passes)', [randu(new Rng(62), [9000], -2, 2)], (k, [a]) => [k.sum(a!, [0])], [
    f32([]),
  ]);
  list.add(
    'max',
    'max [3,5000] axis 1 (two passes)',
    [randu(new Rng(63), [3, 5000], -2, 2)],
    (k, [a]) => [k.max(a!, [1])],
    [f32([3])],
  );
  const long = randu(new Rng(64), [2, 9000], -2, 2);
  for (const op of ['argmax', 'argmin'] as const) {
    list.add(op, `${op} [2,3,4,5] axis 2`, [x4], (k, [a]) => [k[op]!(a!, 2)], [i32([2, 3, 5])]);
    list.add(
      op,
      `${op} ties pick the first`,
      [host([2, 3], 'float32', [1, 3, 3, 0, 0, 1])],
      (k, [a]) => [k[op]!(a!, 1)],
      [i32([2])],
    );
    list.add(op, `${op} [2,9000] axis 1 (two passes)`, [long], (k, [a]) => [k[op]!(a!, 1)], [i32([2])]);
  }

  const rng = new Rng(2);
  list.add('sum', 'sum over [0, 2] of [3,4,5]', [randn(rng, [3, 4, 5])], (k, [x]) => [k.sum(x!, [0, 2])], [f32([4])]);
  list.add('sum', 'sum over an empty extent is 0', [host([2, 0, 3], 'float32', [])], (k, [x]) => [k.sum(x!, [1])], [
    f32([2, 3]),
  ]);
  list.add('prod', 'prod over an empty extent is 1', [host([2, 0], 'float32', [])], (k, [x]) => [k.prod(x!, [1])], [
    f32([2]),
  ]);
  list.add('sum', 'sum int32 all axes', [randint(rng, [4, 5], -100, 100)], (k, [x]) => [k.sum(x!, [0, 1])], [i32([])]);
  for (const op of ['max', 'min'] as const)
    list.add(op, `${op} with NaN`, [host([2, 3], 'float32', [1, NaN, 3, 4, 5, 6])], (k, [x]) => [k[op](x!, [1])], [
      f32([2]),
    ]);
  list.add('min', 'min over axis 0', [randn(rng, [5, 3])], (k, [x]) => [k.min(x!, [0])], [f32([3])]);
  list.add('prod', 'prod over axis 1', [randn(rng, [3, 4])], (k, [x]) => [k.prod(x!, [1])], [f32([3])]);
  list.add('max', 'max of bool is bool', [randbool(rng, [3, 4])], (k, [x]) => [k.max(x!, [1])], [bool([3])]);
  list.add(
    'argmax',
    'argmax first occurrence and NaN wins',
    [host([2, 4], 'float32', [1, 3, 3, 2, 1, NaN, 5, NaN])],
    (k, [x]) => [k.argmax(x!, 1)],
    [i32([2])],
  );
  list.add('argmin', 'argmin of int32 over axis 0', [randint(rng, [4, 3], 0, 3)], (k, [x]) => [k.argmin!(x!, 0)], [
    i32([3]),
  ]);
}
