/** Differential cases for the unary and binary elementwise kernels and where. */
import type { Shape } from '@flint/core/backend';
import { host, randbool, randint, randn, randu, Rng, type HostTensor } from '../reference/index.js';
import { bool, type CaseList, f32, i32 } from './types.js';

const COMPARISONS = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/** Uniform floats in [lo, hi) from their own seed (the values do not depend on case order). */
const uniform = (seed: number, shape: Shape, lo = -2, hi = 2): HostTensor => randu(new Rng(seed), shape, lo, hi);
const rounded = (t: HostTensor): HostTensor => host(t.shape, 'float32', t.data.map(Math.round));

export function elementwiseCases(list: CaseList): void {
  // Unary ops on values spread over each function's domain (positive for log/sqrt/rsqrt).
  for (const op of [
    'neg',
    'abs',
    'sign',
    'exp',
    'sqrt',
    'rsqrt',
    'reciprocal',
    'square',
    'sin',
    'cos',
    'tanh',
    'sigmoid',
    'relu',
    'gelu',
    'erf',
    'floor',
    'ceil',
    'round',
    'log1p',
    'expm1',
    'log',
  ] as const) {
    const positive = op === 'log' || op === 'sqrt' || op === 'rsqrt';
    const x = uniform(11, [3, 7], positive ? 0.05 : -4, 4);
    list.add(op, `${op} [3,7] uniform`, [x], (k, [a]) => [k[op]!(a!)], [f32([3, 7])]);
  }
  const rng = new Rng(1);
  for (const op of [
    'neg',
    'abs',
    'sign',
    'exp',
    'sqrt',
    'rsqrt',
    'reciprocal',
    'square',
    'sin',
    'cos',
    'tanh',
    'sigmoid',
    'relu',
    'gelu',
    'erf',
    'floor',
    'ceil',
    'round',
    'expm1',
  ] as const)
    list.add(op, `${op} [3,5] normal`, [randn(rng, [3, 5], 2)], (k, [x]) => [k[op]!(x!)], [f32([3, 5])]);
  list.add(
    'log',
    'log of positive values [40]',
    [
      host(
        [40],
        'float32',
        randn(rng, [40]).data.map((v) => Math.abs(v) + 1e-3),
      ),
    ],
    (k, [x]) => [k.log(x!)],
    [f32([40])],
  );
  list.add(
    'log1p',
    'log1p on tiny, small, -1 and large inputs',
    [host([9], 'float32', [1e-10, -1e-9, 3e-8, 1e-5, -0.5, -1, 0, 1e6, 2.5])],
    (k, [x]) => [k.log1p(x!)],
    [f32([9])],
    { rtol: 1e-5, atol: 0 },
  );
  list.add('leakyRelu', 'leakyRelu slope 0.1', [uniform(12, [17])], (k, [a]) => [k.leakyRelu!(a!, 0.1)], [f32([17])]);
  list.add(
    'leakyRelu',
    'leakyRelu slope 0.3 (same kernel, another slope)',
    [uniform(13, [17])],
    (k, [a]) => [k.leakyRelu!(a!, 0.3)],
    [f32([17])],
  );
  list.add('leakyRelu', 'leakyRelu slope 0.2 [4,4]', [randn(rng, [4, 4])], (k, [x]) => [k.leakyRelu!(x!, 0.2)], [
    f32([4, 4]),
  ]);
  list.add(
    'round',
    'round half to even',
    [host([8], 'float32', [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 1e7 + 0.5])],
    (k, [x]) => [k.round(x!)],
    [f32([8])],
  );
  list.add(
    'sign',
    'sign of subnormals and NaN',
    [host([5], 'float32', [1e-40, -1e-40, 0, NaN, -Infinity])],
    (k, [x]) => [k.sign!(x!)],
    [f32([5])],
  );
  list.add('neg', 'neg int32 fixed values', [host([4], 'int32', [1, -2, 3, 0])], (k, [a]) => [k.neg(a!)], [i32([4])]);
  for (const op of ['neg', 'abs', 'sign', 'square'] as const)
    list.add(op, `${op} on int32`, [randint(rng, [6], -5, 5)], (k, [x]) => [k[op]!(x!)], [i32([6])]);

  // Binary with broadcasting: same shape, row/column broadcast, rank-extending, scalar.
  const pairs: [Shape, Shape, Shape][] = [
    [
      [2, 3],
      [2, 3],
      [2, 3],
    ],
    [[4, 3], [3], [4, 3]],
    [
      [4, 1],
      [1, 5],
      [4, 5],
    ],
    [
      [2, 1, 3],
      [4, 1],
      [2, 4, 3],
    ],
    [[3, 2], [], [3, 2]],
  ];
  for (const op of [
    'add',
    'sub',
    'mul',
    'div',
    'pow',
    'maximum',
    'minimum',
    'eq',
    'ne',
    'lt',
    'le',
    'gt',
    'ge',
  ] as const) {
    const compare = COMPARISONS.has(op);
    pairs.forEach(([sa, sb, so], j) => {
      // Comparisons get small integers, so that equal pairs occur.
      const a =
        op === 'pow' ? uniform(20 + j, sa, 0.2, 3) : compare ? rounded(uniform(20 + j, sa)) : uniform(20 + j, sa);
      const b = compare ? rounded(uniform(40 + j, sb)) : uniform(40 + j, sb, op === 'div' ? 0.5 : -2, 2);
      list.add(op, `${op} [${sa}] with [${sb}]`, [a, b], (k, [x, y]) => [k[op]!(x!, y!, so)], [
        compare ? bool(so) : f32(so),
      ]);
    });
  }
  for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
    const a = host([2, 1, 4], 'float32', randint(rng, [2, 1, 4], -2, 3).data);
    const b = host([3, 1], 'float32', randint(rng, [3, 1], -2, 3).data);
    list.add(
      op,
      `${op} broadcast [2,1,4] x [3,1], small integers`,
      [a, b],
      (k, [x, y]) => [k[op]!(x!, y!, [2, 3, 4])],
      [COMPARISONS.has(op) ? bool([2, 3, 4]) : f32([2, 3, 4])],
    );
  }
  list.add(
    'add',
    'add int32 broadcast fixed values',
    [host([2, 2], 'int32', [1, 2, 3, 4]), host([2], 'int32', [10, -20])],
    (k, [x, y]) => [k.add(x!, y!, [2, 2])],
    [i32([2, 2])],
  );
  list.add(
    'add',
    'add int32 broadcast [2,3] with [3]',
    [randint(rng, [2, 3], -9, 9), randint(rng, [3], -9, 9)],
    (k, [a, b]) => [k.add(a!, b!, [2, 3])],
    [i32([2, 3])],
  );
  list.add(
    'pow',
    'pow int32',
    [host([4], 'int32', [2, -3, 5, 0]), host([4], 'int32', [3, 3, 2, 0])],
    (k, [x, y]) => [k.pow(x!, y!, [4])],
    [i32([4])],
  );
  for (const op of ['maximum', 'minimum'] as const)
    list.add(
      op,
      `${op} propagates NaN from either side`,
      [host([4], 'float32', [NaN, 1, 2, -0]), host([4], 'float32', [1, NaN, 3, 0])],
      (k, [a, b]) => [k[op](a!, b!, [4])],
      [f32([4])],
    );
  list.add(
    'pow',
    'pow, base 1 with NaN exponent',
    [host([4], 'float32', [1, 2, 0.5, 1]), host([4], 'float32', [NaN, 3, -2, 1e9])],
    (k, [a, b]) => [k.pow(a!, b!, [4])],
    [f32([4])],
  );

  list.add(
    'where',
    'where broadcast, fixed condition',
    [host([3, 1], 'bool', [1, 0, 1]), uniform(50, [3, 4]), uniform(51, [4])],
    (k, [c, a, b]) => [k.where(c!, a!, b!, [3, 4])],
    [f32([3, 4])],
  );
  list.add(
    'where',
    'where broadcast with bool operands',
    [randbool(rng, [2, 1]), randbool(rng, [1, 3]), randbool(rng, [3])],
    (k, [c, a, b]) => [k.where(c!, a!, b!, [2, 3])],
    [bool([2, 3])],
  );
  list.add(
    'where',
    'where float32',
    [randbool(rng, [3, 1]), randn(rng, [3, 4]), randn(rng, [4])],
    (k, [c, a, b]) => [k.where(c!, a!, b!, [3, 4])],
    [f32([3, 4])],
  );
}
