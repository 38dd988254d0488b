/**
 * Per-kernel cases run on this backend and on @flint/backend-cpu (the reference implementation for
 * values) with the same host inputs. Small sizes: software GL on two cores.
 */
import type { Backend, Conv2dParams, DataArray, DType, Pool2dParams, Shape, TensorRef } from '@flint/core/backend';
import { sizeOf } from '@flint/core/backend';

export interface HostTensor {
  readonly data: DataArray;
  readonly shape: Shape;
  readonly dtype: DType;
}

type AnyKernels = Backend<unknown>['kernels'];
type Ref = TensorRef<unknown>;
export interface Out {
  readonly storage: unknown;
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface KernelCase {
  readonly kernel: string;
  readonly name: string;
  readonly inputs: readonly HostTensor[];
  readonly run: (k: AnyKernels, x: readonly Ref[]) => Out[];
}

/** Deterministic pseudo-random floats (mulberry32) in [lo, hi). */
export function rand(seed: number, shape: Shape, lo = -2, hi = 2): HostTensor {
  let s = seed >>> 0;
  const n = sizeOf(shape);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    data[i] = lo + (hi - lo) * u;
  }
  return { data, shape, dtype: 'float32' };
}

export function ints(shape: Shape, values: readonly number[]): HostTensor {
  return { data: Int32Array.from(values), shape, dtype: 'int32' };
}

function rounded(t: HostTensor): HostTensor {
  return { ...t, data: (t.data as Float32Array).map(Math.round) };
}

function bools(shape: Shape, values: readonly number[]): HostTensor {
  return { data: Uint8Array.from(values), shape, dtype: 'bool' };
}

const f = (storage: unknown, shape: Shape, dtype: DType = 'float32'): Out => ({ storage, shape, dtype });

const UNARY = [
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
] as const;
const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
const COMPARE = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

function conv(
  stride: [number, number],
  padding: [number, number],
  dilation: [number, number],
  groups: number,
): Conv2dParams {
  return { stride, padding, dilation, groups };
}

function pool(
  k: [number, number],
  stride: [number, number],
  padding: [number, number],
  extra: Partial<Pool2dParams> = {},
): Pool2dParams {
  return { kernelSize: k, stride, padding, dilation: [1, 1], ceilMode: false, countIncludePad: true, ...extra };
}

function convOut(x: Shape, w: Shape, p: Conv2dParams): number[] {
  const o = (i: number, k: number, s: number, pd: number, d: number) =>
    Math.floor((i + 2 * pd - d * (k - 1) - 1) / s) + 1;
  return [
    x[0]!,
    w[0]!,
    o(x[2]!, w[2]!, p.stride[0], p.padding[0], p.dilation[0]),
    o(x[3]!, w[3]!, p.stride[1], p.padding[1], p.dilation[1]),
  ];
}

export function buildCases(): KernelCase[] {
  const cases: KernelCase[] = [];
  const add = (kernel: string, name: string, inputs: HostTensor[], run: KernelCase['run']) =>
    cases.push({ kernel, name, inputs, run });

  // Unary: values spread over each function's domain (positive for log/sqrt/rsqrt).
  for (const op of UNARY) {
    const positive = op === 'log' || op === 'sqrt' || op === 'rsqrt';
    const x = rand(11, [3, 7], positive ? 0.05 : -4, 4);
    add(op, `${op} [3,7]`, [x], (k, [a]) => [f((k[op] as (r: Ref) => unknown)(a!), [3, 7])]);
  }
  add('leakyRelu', 'leakyRelu slope 0.1', [rand(12, [17])], (k, [a]) => [f(k.leakyRelu(a!, 0.1), [17])]);
  add('leakyRelu', 'leakyRelu slope 0.3 (same kernel, new uniform)', [rand(13, [17])], (k, [a]) => [
    f(k.leakyRelu(a!, 0.3), [17]),
  ]);
  add('neg', 'neg int32', [ints([4], [1, -2, 3, 0])], (k, [a]) => [f(k.neg(a!), [4], 'int32')]);

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
  for (const op of BINARY) {
    pairs.forEach(([sa, sb, so], j) => {
      // Comparisons get small integers, so that equal pairs occur.
      const a =
        op === 'pow' ? rand(20 + j, sa, 0.2, 3) : COMPARE.has(op) ? rounded(rand(20 + j, sa)) : rand(20 + j, sa);
      const b = COMPARE.has(op) ? rounded(rand(40 + j, sb)) : rand(40 + j, sb, op === 'div' ? 0.5 : -2, 2);
      add(op, `${op} [${sa}] with [${sb}]`, [a, b], (k, [x, y]) => [
        f(k[op](x!, y!, so), so, COMPARE.has(op) ? 'bool' : 'float32'),
      ]);
    });
  }
  add('add', 'add int32 broadcast', [ints([2, 2], [1, 2, 3, 4]), ints([2], [10, -20])], (k, [x, y]) => [
    f(k.add(x!, y!, [2, 2]), [2, 2], 'int32'),
  ]);
  add('pow', 'pow int32', [ints([4], [2, -3, 5, 0]), ints([4], [3, 3, 2, 0])], (k, [x, y]) => [
    f(k.pow(x!, y!, [4]), [4], 'int32'),
  ]);
  add('where', 'where broadcast', [bools([3, 1], [1, 0, 1]), rand(50, [3, 4]), rand(51, [4])], (k, [c, a, b]) => [
    f(k.where(c!, a!, b!, [3, 4]), [3, 4]),
  ]);

  // Reductions over any axes.
  const x4 = rand(60, [2, 3, 4, 5]);
  for (const op of ['sum', 'max', 'min', 'prod'] as const) {
    for (const axes of [[0], [3], [1, 2], [0, 2], [0, 1, 2, 3]]) {
      const kept = x4.shape.filter((_, i) => !axes.includes(i));
      const input = op === 'prod' ? rand(61, [2, 3, 4, 5], 0.7, 1.3) : x4;
      add(op, `${op} [2,3,4,5] axes [${axes}]`, [input], (k, [a]) => [f(k[op](a!, axes), kept)]);
    }
  }
  add('sum', 'sum 9000 elements (two passes)', [rand(62, [9000])], (k, [a]) => [f(k.sum(a!, [0]), [])]);
  add('max', 'max [3,5000] axis 1 (two passes)', [rand(63, [3, 5000])], (k, [a]) => [f(k.max(a!, [1]), [3])]);
  for (const op of ['argmax', 'argmin'] as const) {
    add(op, `${op} [2,3,4,5] axis 2`, [x4], (k, [a]) => [f(k[op](a!, 2), [2, 3, 5], 'int32')]);
    add(
      op,
      `${op} ties pick the first`,
      [{ data: Float32Array.from([1, 3, 3, 0, 0, 1]), shape: [2, 3], dtype: 'float32' }],
      (k, [a]) => [f(k[op](a!, 1), [2], 'int32')],
    );
    add(op, `${op} [2,9000] axis 1 (two passes)`, [rand(64, [2, 9000])], (k, [a]) => [f(k[op](a!, 1), [2], 'int32')]);
  }

  // matmul: plain, transposes, batched with broadcast, K not a multiple of 4.
  add('matmul', 'matmul [5,7]x[7,3]', [rand(70, [5, 7]), rand(71, [7, 3])], (k, [a, b]) => [
    f(k.matmul(a!, b!, false, false, [5, 3]), [5, 3]),
  ]);
  add('matmul', 'matmul transposeA transposeB', [rand(72, [6, 4]), rand(73, [2, 6])], (k, [a, b]) => [
    f(k.matmul(a!, b!, true, true, [4, 2]), [4, 2]),
  ]);
  add(
    'matmul',
    'matmul batch broadcast [2,1,3,5]x[4,5,2]',
    [rand(74, [2, 1, 3, 5]), rand(75, [4, 5, 2])],
    (k, [a, b]) => [f(k.matmul(a!, b!, false, false, [2, 4, 3, 2]), [2, 4, 3, 2])],
  );
  add('matmul', 'matmul [16,33]x[33,16]', [rand(76, [16, 33]), rand(77, [33, 16])], (k, [a, b]) => [
    f(k.matmul(a!, b!, false, false, [16, 16]), [16, 16]),
  ]);

  // Layout.
  add('permute', 'permute [2,3,4] -> [2,0,1]', [rand(80, [2, 3, 4])], (k, [a]) => [
    f(k.permute(a!, [2, 0, 1]), [4, 2, 3]),
  ]);
  add('slice', 'slice with steps', [rand(81, [5, 6])], (k, [a]) => [f(k.slice(a!, [1, 0], [2, 3], [2, 2]), [2, 2])]);
  add('pad', 'pad [2,3] by [[1,0],[2,1]] with -1', [rand(82, [2, 3])], (k, [a]) => [
    f(
      k.pad(
        a!,
        [
          [1, 0],
          [2, 1],
        ],
        -1,
      ),
      [3, 6],
    ),
  ]);
  add('concat', 'concat 3 inputs axis 1', [rand(83, [2, 1, 2]), rand(84, [2, 3, 2]), rand(85, [2, 2, 2])], (k, xs) => [
    f(k.concat(xs, 1, [2, 6, 2]), [2, 6, 2]),
  ]);
  add('expand', 'expand [3,1] -> [2,3,4]', [rand(86, [3, 1])], (k, [a]) => [f(k.expand(a!, [2, 3, 4]), [2, 3, 4])]);
  add(
    'cast',
    'cast float -> int32 truncates',
    [{ data: Float32Array.from([1.7, -1.7, 0.2, -0.0, 3]), shape: [5], dtype: 'float32' }],
    (k, [a]) => [f(k.cast(a!, 'int32'), [5], 'int32')],
  );
  add(
    'cast',
    'cast float -> bool',
    [{ data: Float32Array.from([1.7, 0, -0.5]), shape: [3], dtype: 'float32' }],
    (k, [a]) => [f(k.cast(a!, 'bool'), [3], 'bool')],
  );
  add('oneHot', 'oneHot 4 classes', [ints([2, 2], [0, 3, 1, 1])], (k, [a]) => [
    f(k.oneHot(a!, 4, 'float32'), [2, 2, 4]),
  ]);

  // Indexing.
  add('gather', 'gather axis 1', [rand(90, [3, 4]), ints([3, 2], [0, 3, 2, 2, 1, 0])], (k, [x, i]) => [
    f(k.gather(x!, 1, i!), [3, 2]),
  ]);
  add('gather', 'gather axis 0', [rand(91, [3, 4]), ints([2, 4], [2, 0, 1, 2, 0, 0, 2, 1])], (k, [x, i]) => [
    f(k.gather(x!, 0, i!), [2, 4]),
  ]);
  add(
    'scatterAdd',
    'scatterAdd axis 1 with duplicates',
    [rand(92, [3, 5]), ints([3, 3], [0, 0, 4, 1, 2, 1, 3, 3, 3]), rand(93, [3, 3])],
    (k, [x, i, s]) => [f(k.scatterAdd(x!, 1, i!, s!), [3, 5])],
  );
  add(
    'scatterAdd',
    'scatterAdd axis 0, index smaller than src',
    [rand(94, [4, 3]), ints([2, 2], [3, 0, 3, 3]), rand(95, [3, 3])],
    (k, [x, i, s]) => [f(k.scatterAdd(x!, 0, i!, s!), [4, 3])],
  );
  add('indexSelect', 'indexSelect axis 1', [rand(96, [2, 5, 3]), ints([4], [4, 0, 4, 2])], (k, [x, i]) => [
    f(k.indexSelect(x!, 1, i!), [2, 4, 3]),
  ]);

  // Images.
  const convs: [Shape, Shape, Conv2dParams][] = [
    [[2, 3, 7, 7], [4, 3, 3, 3], conv([1, 1], [1, 1], [1, 1], 1)],
    [[1, 4, 8, 6], [6, 2, 3, 2], conv([2, 1], [0, 1], [1, 2], 2)],
    [[2, 2, 9, 9], [2, 1, 3, 3], conv([2, 2], [2, 2], [2, 2], 2)],
  ];
  convs.forEach(([xs, ws, p], j) => {
    const ys = convOut(xs, ws, p);
    const label = `x [${xs}] w [${ws}] s${p.stride} p${p.padding} d${p.dilation} g${p.groups}`;
    add('conv2d', `conv2d ${label}`, [rand(100 + j, xs), rand(110 + j, ws)], (k, [x, w]) => [
      f(k.conv2d(x!, w!, p, ys), ys),
    ]);
    add('conv2dBackwardInput', `conv2dBackwardInput ${label}`, [rand(120 + j, ys), rand(110 + j, ws)], (k, [dy, w]) => [
      f(k.conv2dBackwardInput(dy!, w!, xs, p), xs),
    ]);
    add(
      'conv2dBackwardWeight',
      `conv2dBackwardWeight ${label}`,
      [rand(100 + j, xs), rand(120 + j, ys)],
      (k, [x, dy]) => [f(k.conv2dBackwardWeight(x!, dy!, ws, p), ws)],
    );
  });
  const pools: [Shape, Pool2dParams, Shape][] = [
    [[2, 3, 6, 6], pool([2, 2], [2, 2], [0, 0]), [2, 3, 3, 3]],
    [[1, 2, 7, 5], pool([3, 3], [2, 2], [1, 1], { countIncludePad: false }), [1, 2, 4, 3]],
    [[1, 1, 5, 5], pool([2, 2], [2, 2], [0, 0], { ceilMode: true, divisorOverride: 3 }), [1, 1, 3, 3]],
  ];
  pools.forEach(([xs, p, ys], j) => {
    const label = `[${xs}] k${p.kernelSize} s${p.stride} p${p.padding}${p.ceilMode ? ' ceil' : ''}`;
    add('maxPool2d', `maxPool2d ${label}`, [rand(130 + j, xs)], (k, [x]) => {
      const r = k.maxPool2d(x!, p, ys);
      return [f(r.values, ys), f(r.indices, ys, 'int32')];
    });
    add('maxPool2dBackward', `maxPool2dBackward ${label}`, [rand(130 + j, xs), rand(140 + j, ys)], (k, [x, dy]) => {
      const r = k.maxPool2d(x!, p, ys);
      k.dispose(r.values);
      const dx = k.maxPool2dBackward(dy!, { storage: r.indices, shape: ys, dtype: 'int32' }, xs);
      k.dispose(r.indices);
      return [f(dx, xs)];
    });
    add('avgPool2d', `avgPool2d ${label}`, [rand(150 + j, xs)], (k, [x]) => [f(k.avgPool2d(x!, p, ys), ys)]);
    add('avgPool2dBackward', `avgPool2dBackward ${label}`, [rand(160 + j, ys)], (k, [dy]) => [
      f(k.avgPool2dBackward(dy!, xs, p), xs),
    ]);
  });

  // Memory kernels.
  add('fill', 'fill [2,3] with 2.5', [], (k) => [f(k.fill([2, 3], 'float32', 2.5), [2, 3])]);
  add('copy', 'copy int32', [ints([3], [7, -8, 9])], (k, [a]) => [f(k.copy(a!), [3], 'int32')]);
  return cases;
}

/** Upload the inputs, run the case, read every output back, free everything. */
export function runCase(b: Backend<unknown>, c: KernelCase): DataArray[] {
  const k = b.kernels;
  const refs = c.inputs.map((h) => ({ storage: k.write(h.data, h.shape, h.dtype), shape: h.shape, dtype: h.dtype }));
  const outs = c.run(k, refs);
  const data = outs.map((o) => k.readSync(o));
  for (const o of outs) k.dispose(o.storage);
  for (const r of refs) k.dispose(r.storage);
  return data;
}
