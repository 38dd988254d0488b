/** Differential cases for matmul and the optional fused kernels (linear, softmax, logSoftmax). */
import type { Shape } from '@flint/core/backend';
import { host, randn, randu, Rng } from '../reference/index.js';
import { type CaseList, f32 } from './types.js';

export function linalgCases(list: CaseList): void {
  const uniform = (seed: number, shape: Shape) => randu(new Rng(seed), shape, -2, 2);
  // Plain, both transposes, batched with broadcast, K not a multiple of 4.
  list.add(
    'matmul',
    'matmul [5,7]x[7,3] uniform',
    [uniform(70, [5, 7]), uniform(71, [7, 3])],
    (k, [a, b]) => [k.matmul(a!, b!, false, false, [5, 3])],
    [f32([5, 3])],
  );
  list.add(
    'matmul',
    'matmul transposeA transposeB [6,4]^T x [2,6]^T',
    [uniform(72, [6, 4]), uniform(73, [2, 6])],
    (k, [a, b]) => [k.matmul(a!, b!, true, true, [4, 2])],
    [f32([4, 2])],
  );
  list.add(
    'matmul',
    'matmul batch broadcast [2,1,3,5]x[4,5,2]',
    [uniform(74, [2, 1, 3, 5]), uniform(75, [4, 5, 2])],
    (k, [a, b]) => [k.matmul(a!, b!, false, false, [2, 4, 3, 2])],
    [f32([2, 4, 3, 2])],
  );
  list.add(
    'matmul',
    'matmul [16,33]x[33,16]',
    [uniform(76, [16, 33]), uniform(77, [33, 16])],
    (k, [a, b]) => [k.matmul(a!, b!, false, false, [16, 16])],
    [f32([16, 16])],
  );

  const rng = new Rng(3);
  list.add(
    'matmul',
    'matmul [5,7]x[7,3] normal',
    [randn(rng, [5, 7]), randn(rng, [7, 3])],
    (k, [a, b]) => [k.matmul(a!, b!, false, false, [5, 3])],
    [f32([5, 3])],
  );
  list.add(
    'matmul',
    'matmul transposes [2,7,5]^T x [2,3,7]^T',
    [randn(rng, [2, 7, 5]), randn(rng, [2, 3, 7])],
    (k, [a, b]) => [k.matmul(a!, b!, true, true, [2, 5, 3])],
    [f32([2, 5, 3])],
  );
  list.add(
    'matmul',
    'matmul batch broadcast [2,1,3,4]x[3,4,2]',
    [randn(rng, [2, 1, 3, 4]), randn(rng, [3, 4, 2])],
    (k, [a, b]) => [k.matmul(a!, b!, false, false, [2, 3, 3, 2])],
    [f32([2, 3, 3, 2])],
  );
  list.add(
    'matmul',
    'matmul [4,3,5]x[5,2] folds batch',
    [randn(rng, [4, 3, 5]), randn(rng, [5, 2])],
    (k, [a, b]) => [k.matmul(a!, b!, false, false, [4, 3, 2])],
    [f32([4, 3, 2])],
  );
  list.add(
    'matmul',
    'matmul K = 0',
    [host([3, 0], 'float32', []), host([0, 2], 'float32', [])],
    (k, [a, b]) => [k.matmul(a!, b!, false, false, [3, 2])],
    [f32([3, 2])],
  );

  list.add(
    'linear',
    'linear with bias [6,10] x [4,10]^T',
    [randn(rng, [6, 10]), randn(rng, [4, 10]), randn(rng, [4])],
    (k, [x, w, b]) => [k.linear!(x!, w!, b!, [6, 4])],
    [f32([6, 4])],
  );
  list.add(
    'linear',
    'linear 3-D input, no bias',
    [randn(rng, [2, 3, 10]), randn(rng, [4, 10])],
    (k, [x, w]) => [k.linear!(x!, w!, null, [2, 3, 4])],
    [f32([2, 3, 4])],
  );
  list.add(
    'linear',
    'linear 784 -> 16 batch 64',
    [randn(rng, [64, 784]), randn(rng, [16, 784], 0.05), randn(rng, [16])],
    (k, [x, w, b]) => [k.linear!(x!, w!, b!, [64, 16])],
    [f32([64, 16])],
    // A 784-term dot product whose terms cancel: judged against more than its own tiny result.
    { rtol: 1e-4, atol: 1e-4 },
  );

  list.add('softmax', 'softmax axis 1 of [2,5,3]', [randn(rng, [2, 5, 3], 3)], (k, [x]) => [k.softmax!(x!, 1)], [
    f32([2, 5, 3]),
  ]);
  list.add(
    'logSoftmax',
    'logSoftmax last axis, large logits',
    [randn(rng, [4, 10], 50)],
    (k, [x]) => [k.logSoftmax!(x!, 1)],
    [f32([4, 10])],
  );
  list.add('logSoftmax', 'logSoftmax axis 0', [randn(rng, [6, 2])], (k, [x]) => [k.logSoftmax!(x!, 0)], [f32([6, 2])]);
}
