/** Differential cases for conv2d (and conv2dBias), its two backward kernels, and max/avg pooling with their backward kernels. */
import type { Conv2dParams, Pool2dParams, Shape } from '@flint/core/backend';
import type { Tolerance } from '../compare.js';
import { convOutShape, host, poolOutShape, randn, randu, Rng } from '../reference/index.js';
import { type CaseList, f32, i32 } from './types.js';

const conv = (
  stride: [number, number],
  padding: [number, number],
  dilation: [number, number],
  groups: number,
): Conv2dParams => ({ stride, padding, dilation, groups });

const pool = (
  kernelSize: [number, number],
  stride: [number, number],
  padding: [number, number],
  extra: Partial<Pool2dParams> = {},
): Pool2dParams => ({
  kernelSize,
  stride,
  padding,
  dilation: [1, 1],
  ceilMode: false,
  countIncludePad: true,
  ...extra,
});

/** Convolutions sum up to C*kh*kw products of normal values: an absolute floor for results near 0. */
const IMAGE: Tolerance = { rtol: 1e-4, atol: 1e-4 };

export function imageCases(list: CaseList): void {
  const uniform = (seed: number, shape: Shape) => randu(new Rng(seed), shape, -2, 2);
  const uniformConvs: [Shape, Shape, Conv2dParams][] = [
    [[2, 3, 7, 7], [4, 3, 3, 3], conv([1, 1], [1, 1], [1, 1], 1)],
    [[1, 4, 8, 6], [6, 2, 3, 2], conv([2, 1], [0, 1], [1, 2], 2)],
    [[2, 2, 9, 9], [2, 1, 3, 3], conv([2, 2], [2, 2], [2, 2], 2)],
  ];
  uniformConvs.forEach(([xs, ws, p], j) => {
    const ys = convOutShape(xs, ws, p);
    const label = `x [${xs}] w [${ws}] s${p.stride} p${p.padding} d${p.dilation} g${p.groups}`;
    list.add(
      'conv2d',
      `conv2d ${label}`,
      [uniform(100 + j, xs), uniform(110 + j, ws)],
      (k, [x, w]) => [k.conv2d(x!, w!, p, ys)],
      [f32(ys)],
    );
    list.add(
      'conv2dBackwardInput',
      `conv2dBackwardInput ${label}`,
      [uniform(120 + j, ys), uniform(110 + j, ws)],
      (k, [dy, w]) => [k.conv2dBackwardInput(dy!, w!, xs, p)],
      [f32(xs)],
    );
    list.add(
      'conv2dBackwardWeight',
      `conv2dBackwardWeight ${label}`,
      [uniform(100 + j, xs), uniform(120 + j, ys)],
      (k, [x, dy]) => [k.conv2dBackwardWeight(x!, dy!, ws, p)],
      [f32(ws)],
    );
  });

  const uniformPools: [Shape, Pool2dParams][] = [
    [[2, 3, 6, 6], pool([2, 2], [2, 2], [0, 0])],
    [[1, 2, 7, 5], pool([3, 3], [2, 2], [1, 1], { countIncludePad: false })],
    [[1, 1, 5, 5], pool([2, 2], [2, 2], [0, 0], { ceilMode: true, divisorOverride: 3 })],
  ];
  uniformPools.forEach(([xs, p], j) => {
    const ys = poolOutShape(xs, p);
    const label = `[${xs}] k${p.kernelSize} s${p.stride} p${p.padding}${p.ceilMode ? ' ceil' : ''}`;
    list.add(
      'maxPool2d',
      `maxPool2d ${label}`,
      [uniform(130 + j, xs)],
      (k, [x]) => {
        const r = k.maxPool2d(x!, p, ys);
        return [r.values, r.indices];
      },
      [f32(ys), i32(ys)],
    );
    list.add(
      'maxPool2dBackward',
      `maxPool2dBackward ${label}`,
      [uniform(130 + j, xs), uniform(140 + j, ys)],
      (k, [x, dy]) => {
        const r = k.maxPool2d(x!, p, ys);
        k.dispose(r.values);
        const dx = k.maxPool2dBackward(dy!, { storage: r.indices, shape: ys, dtype: 'int32' }, xs, p);
        k.dispose(r.indices);
        return [dx];
      },
      [f32(xs)],
    );
    list.add('avgPool2d', `avgPool2d ${label}`, [uniform(150 + j, xs)], (k, [x]) => [k.avgPool2d(x!, p, ys)], [
      f32(ys),
    ]);
    list.add(
      'avgPool2dBackward',
      `avgPool2dBackward ${label}`,
      [uniform(160 + j, ys)],
      (k, [dy]) => [k.avgPool2dBackward(dy!, xs, p)],
      [f32(xs)],
    );
  });

  const rng = new Rng(6);
  const normalConvs: [string, Shape, Shape, Conv2dParams][] = [
    ['3x3 pad 1', [2, 3, 7, 7], [4, 3, 3, 3], conv([1, 1], [1, 1], [1, 1], 1)],
    ['5x5 LeNet conv1', [2, 1, 12, 12], [6, 1, 5, 5], conv([1, 1], [0, 0], [1, 1], 1)],
    ['stride 2, uneven floor', [1, 2, 8, 7], [3, 2, 3, 3], conv([2, 2], [1, 0], [1, 1], 1)],
    ['dilation 2', [1, 2, 9, 9], [2, 2, 3, 3], conv([1, 1], [2, 2], [2, 2], 1)],
    ['stride 2 and dilation 2', [2, 2, 11, 10], [3, 2, 3, 2], conv([2, 3], [1, 2], [2, 2], 1)],
    ['groups 2', [2, 4, 6, 6], [6, 2, 3, 3], conv([1, 1], [1, 1], [1, 1], 2)],
    ['depthwise (groups = C), multiplier 2', [1, 3, 6, 6], [6, 1, 3, 3], conv([1, 1], [1, 1], [1, 1], 3)],
    ['depthwise, stride 2 and dilation 2', [1, 2, 9, 9], [2, 1, 3, 3], conv([2, 2], [1, 1], [2, 2], 2)],
    ['1x1 stride 2', [2, 3, 5, 5], [2, 3, 1, 1], conv([2, 2], [0, 0], [1, 1], 1)],
  ];
  for (const [name, xs, ws, p] of normalConvs) {
    const ys = convOutShape(xs, ws, p);
    list.add(
      'conv2d',
      `conv2d ${name}`,
      [randn(rng, xs), randn(rng, ws)],
      (k, [x, w]) => [k.conv2d(x!, w!, p, ys)],
      [f32(ys)],
      IMAGE,
    );
    list.add(
      'conv2dBackwardInput',
      `conv2dBackwardInput ${name}`,
      [randn(rng, ys), randn(rng, ws)],
      (k, [dy, w]) => [k.conv2dBackwardInput(dy!, w!, xs, p)],
      [f32(xs)],
      IMAGE,
    );
    list.add(
      'conv2dBackwardWeight',
      `conv2dBackwardWeight ${name}`,
      [randn(rng, xs), randn(rng, ys)],
      (k, [x, dy]) => [k.conv2dBackwardWeight(x!, dy!, ws, p)],
      [f32(ws)],
      IMAGE,
    );
  }

  // conv2dBias (optional): the bias added as the output is written, on the shapes where cpu takes
  // its direct single-channel path (LeNet's conv1), im2col + GEMM, and grouped convolution.
  const biased: [string, Shape, Shape, Conv2dParams][] = [
    ['LeNet conv1, pad 2', [3, 1, 28, 28], [6, 1, 5, 5], conv([1, 1], [2, 2], [1, 1], 1)],
    ['LeNet conv2', [2, 6, 14, 14], [16, 6, 5, 5], conv([1, 1], [0, 0], [1, 1], 1)],
    ['groups 2, stride 2', [2, 4, 7, 7], [6, 2, 3, 3], conv([2, 2], [1, 1], [1, 1], 2)],
  ];
  for (const [name, xs, ws, p] of biased) {
    const ys = convOutShape(xs, ws, p);
    list.add(
      'conv2dBias',
      `conv2dBias ${name}`,
      [randn(rng, xs), randn(rng, ws), randn(rng, [ws[0]!])],
      (k, [x, w, b]) => [k.conv2dBias!(x!, w!, b!, p, ys)],
      [f32(ys)],
      IMAGE,
    );
  }

  const normalPools: [string, Shape, Pool2dParams][] = [
    ['2x2 stride 2', [2, 3, 8, 8], pool([2, 2], [2, 2], [0, 0])],
    ['3x3 stride 2 pad 1', [1, 2, 7, 7], pool([3, 3], [2, 2], [1, 1])],
    ['3x3 stride 2 ceil_mode', [1, 2, 8, 8], pool([3, 3], [2, 2], [0, 0], { ceilMode: true })],
    [
      '3x2 stride (2,1) pad (1,1) ceil_mode, no pad count',
      [2, 1, 7, 6],
      pool([3, 2], [2, 1], [1, 1], { ceilMode: true, countIncludePad: false }),
    ],
    ['2x2 overlapping stride 1', [1, 1, 5, 5], pool([2, 2], [1, 1], [0, 0])],
    ['divisor override 3', [1, 2, 6, 6], pool([2, 2], [2, 2], [1, 1], { ceilMode: true, divisorOverride: 3 })],
  ];
  for (const [name, xs, p] of normalPools) {
    const ys = poolOutShape(xs, p);
    list.add(
      'maxPool2d',
      `maxPool2d ${name}`,
      [randn(rng, xs)],
      (k, [x]) => {
        const r = k.maxPool2d(x!, p, ys);
        return [r.values, r.indices];
      },
      [f32(ys), i32(ys)],
    );
    list.add('avgPool2d', `avgPool2d ${name}`, [randn(rng, xs)], (k, [x]) => [k.avgPool2d(x!, p, ys)], [f32(ys)]);
    list.add(
      'avgPool2dBackward',
      `avgPool2dBackward ${name}`,
      [randn(rng, ys)],
      (k, [dy]) => [k.avgPool2dBackward(dy!, xs, p)],
      [f32(xs)],
    );
  }
  const dilated = pool([3, 3], [2, 2], [1, 1], { dilation: [2, 2] });
  const dilatedOut = poolOutShape([1, 2, 9, 9], dilated);
  list.add(
    'maxPool2d',
    'maxPool2d dilation 2',
    [randn(rng, [1, 2, 9, 9])],
    (k, [x]) => {
      const r = k.maxPool2d(x!, dilated, dilatedOut);
      return [r.values, r.indices];
    },
    [f32(dilatedOut), i32(dilatedOut)],
  );
  list.add(
    'maxPool2d',
    'maxPool2d ties keep the first, NaN wins, -Infinity input',
    [host([1, 1, 4, 4], 'float32', [1, 1, 1, 1, 2, NaN, 2, 0, -Infinity, -Infinity, -Infinity, -Infinity, 5, 5, 0, 5])],
    (k, [x]) => {
      const r = k.maxPool2d(x!, pool([2, 2], [2, 2], [1, 1]), [1, 1, 3, 3]);
      return [r.values, r.indices];
    },
    [f32([1, 1, 3, 3]), i32([1, 1, 3, 3])],
  );
  list.add(
    'maxPool2dBackward',
    'maxPool2dBackward overlapping windows sum',
    [randn(rng, [2, 2, 5, 5])],
    (k, [x]) => {
      const shape = [2, 2, 5, 5];
      const p = pool([3, 3], [1, 1], [1, 1]);
      const { values, indices } = k.maxPool2d(x!, p, shape);
      const dx = k.maxPool2dBackward(
        { storage: values, shape, dtype: 'float32' },
        { storage: indices, shape, dtype: 'int32' },
        shape,
        p,
      );
      k.dispose(values);
      k.dispose(indices);
      return [dx];
    },
    [f32([2, 2, 5, 5])],
  );
}
