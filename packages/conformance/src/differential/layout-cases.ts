/** Differential cases for the layout kernels (permute, slice, pad, concat, expand, cast, oneHot) and views. */
import type { Shape } from '@flint/core/backend';
import { host, randbool, randint, randn, randu, Rng } from '../reference/index.js';
import { bool, type CaseList, f32, i32 } from './types.js';

export function layoutCases(list: CaseList): void {
  const uniform = (seed: number, shape: Shape) => randu(new Rng(seed), shape, -2, 2);
  list.add(
    'permute',
    'permute [2,3,4] -> [2,0,1] uniform',
    [uniform(80, [2, 3, 4])],
    (k, [a]) => [k.permute(a!, [2, 0, 1])],
    [f32([4, 2, 3])],
  );
  list.add(
    'slice',
    'slice with steps, uniform',
    [uniform(81, [5, 6])],
    (k, [a]) => [k.slice(a!, [1, 0], [2, 3], [2, 2])],
    [f32([2, 2])],
  );
  list.add(
    'pad',
    'pad [2,3] by [[1,0],[2,1]] with -1',
    [uniform(82, [2, 3])],
    (k, [a]) => [
      k.pad(
        a!,
        [
          [1, 0],
          [2, 1],
        ],
        -1,
      ),
    ],
    [f32([3, 6])],
  );
  list.add(
    'concat',
    'concat 3 inputs axis 1',
    [uniform(83, [2, 1, 2]), uniform(84, [2, 3, 2]), uniform(85, [2, 2, 2])],
    (k, xs) => [k.concat(xs, 1, [2, 6, 2])],
    [f32([2, 6, 2])],
  );
  list.add('expand', 'expand [3,1] -> [2,3,4] uniform', [uniform(86, [3, 1])], (k, [a]) => [k.expand(a!, [2, 3, 4])], [
    f32([2, 3, 4]),
  ]);
  list.add(
    'cast',
    'cast float -> int32 truncates (with -0)',
    [host([5], 'float32', [1.7, -1.7, 0.2, -0.0, 3])],
    (k, [a]) => [k.cast(a!, 'int32')],
    [i32([5])],
  );
  list.add('cast', 'cast float -> bool', [host([3], 'float32', [1.7, 0, -0.5])], (k, [a]) => [k.cast(a!, 'bool')], [
    bool([3]),
  ]);
  list.add(
    'oneHot',
    'oneHot 4 classes, fixed indices',
    [host([2, 2], 'int32', [0, 3, 1, 1])],
    (k, [a]) => [k.oneHot!(a!, 4, 'float32')],
    [f32([2, 2, 4])],
  );

  const rng = new Rng(4);
  list.add(
    'permute',
    'permute [2,3,4] -> [2,0,1] normal',
    [randn(rng, [2, 3, 4])],
    (k, [x]) => [k.permute(x!, [2, 0, 1])],
    [f32([4, 2, 3])],
  );
  list.add('permute', 'permute bool', [randbool(rng, [2, 3])], (k, [x]) => [k.permute(x!, [1, 0])], [bool([3, 2])]);
  list.add(
    'slice',
    'slice with steps float32',
    [randn(rng, [5, 6])],
    (k, [x]) => [k.slice(x!, [1, 0], [2, 3], [2, 2])],
    [f32([2, 2])],
  );
  list.add(
    'slice',
    'slice with steps int32',
    [randint(rng, [5, 6], -50, 50)],
    (k, [x]) => [k.slice(x!, [0, 1], [3, 2], [2, 3])],
    [i32([2, 3])],
  );
  list.add('slice', 'slice with steps bool', [randbool(rng, [7])], (k, [x]) => [k.slice(x!, [1], [2], [3])], [
    bool([3]),
  ]);
  list.add(
    'pad',
    'pad int32 with -7',
    [randint(rng, [2, 3], 0, 9)],
    (k, [x]) => [
      k.pad(
        x!,
        [
          [1, 0],
          [2, 1],
        ],
        -7,
      ),
    ],
    [i32([3, 6])],
  );
  list.add('pad', 'pad bool', [randbool(rng, [3])], (k, [x]) => [k.pad(x!, [[1, 2]], 1)], [bool([6])]);
  // Rank 7 (F.fold and pad modes build such tensors): tfjs's wasm PadV2 returned garbage past rank 6.
  list.add(
    'pad',
    'pad rank 7, two padded axes',
    [randn(rng, [2, 1, 2, 1, 2, 1, 3])],
    (k, [x]) => [
      k.pad(
        x!,
        [
          [0, 0],
          [0, 0],
          [1, 0],
          [0, 0],
          [0, 0],
          [0, 0],
          [1, 2],
        ],
        0.5,
      ),
    ],
    [f32([2, 1, 3, 1, 2, 1, 6])],
  );
  list.add(
    'concat',
    'concat axis 1 with an empty part',
    [randn(rng, [2, 3]), host([2, 0], 'float32', []), randn(rng, [2, 1])],
    (k, xs) => [k.concat(xs, 1, [2, 4])],
    [f32([2, 4])],
  );
  list.add('concat', 'concat bool', [randbool(rng, [2]), randbool(rng, [3])], (k, xs) => [k.concat(xs, 0, [5])], [
    bool([5]),
  ]);
  list.add('expand', 'expand [3,1] -> [2,3,4] normal', [randn(rng, [3, 1])], (k, [x]) => [k.expand(x!, [2, 3, 4])], [
    f32([2, 3, 4]),
  ]);
  list.add('expand', 'expand bool', [randbool(rng, [1, 2])], (k, [x]) => [k.expand(x!, [3, 2])], [bool([3, 2])]);
  list.add(
    'cast',
    'cast float32 -> int32 truncates',
    [host([5], 'float32', [-2.7, -0.5, 0.5, 2.7, 100.9])],
    (k, [x]) => [k.cast(x!, 'int32')],
    [i32([5])],
  );
  list.add(
    'cast',
    'cast float32 -> bool (NaN is true)',
    [host([5], 'float32', [-2.7, 0, NaN, -0, 1e-30])],
    (k, [x]) => [k.cast(x!, 'bool')],
    [bool([5])],
  );
  list.add('cast', 'cast int32 -> bool', [randint(rng, [8], -3, 3)], (k, [x]) => [k.cast(x!, 'bool')], [bool([8])]);
  list.add('cast', 'cast bool -> float32', [randbool(rng, [6])], (k, [x]) => [k.cast(x!, 'float32')], [f32([6])]);
  list.add(
    'oneHot',
    'oneHot float32 from [2,3] indices',
    [randint(rng, [2, 3], 0, 4)],
    (k, [x]) => [k.oneHot!(x!, 4, 'float32')],
    [f32([2, 3, 4])],
  );
  list.add('oneHot', 'oneHot bool', [randint(rng, [5], 0, 3)], (k, [x]) => [k.oneHot!(x!, 3, 'bool')], [bool([5, 3])]);
  list.add(
    'permute',
    'a kernel reads a view whose storage has another shape',
    [{ ...randn(rng, [2, 6]), storageShape: [12] }],
    (k, [x]) => [k.permute(x!, [1, 0])],
    [f32([6, 2])],
  );
}
