/** Cases for conv2d (+ both backward kernels), maxPool2d (+ backward), avgPool2d (+ backward). */
import type { Conv2dParams, Pool2dParams, Shape } from '@flint/core/backend';
import {
  avgPool2dBackwardRef,
  avgPool2dRef,
  conv2dBackwardInputRef,
  conv2dBackwardWeightRef,
  conv2dRef,
  convOutShape,
  host,
  maxPool2dBackwardRef,
  maxPool2dRef,
  poolOutShape,
  randDistinct,
  randn,
  Rng,
} from '../reference/index.js';
import { kc, sh, type ComputeCase } from './types.js';

const rng = new Rng(8000);

interface ConvConfig {
  x: Shape;
  w: Shape;
  p: Conv2dParams;
}
const conv = (x: Shape, w: Shape, stride = [1, 1], padding = [0, 0], dilation = [1, 1], groups = 1): ConvConfig => ({
  x,
  w,
  p: {
    stride: stride as [number, number],
    padding: padding as [number, number],
    dilation: dilation as [number, number],
    groups,
  },
});

const CONVS: ConvConfig[] = [
  conv([1, 1, 5, 5], [1, 1, 3, 3]),
  conv([2, 3, 7, 6], [4, 3, 3, 2], [2, 1], [1, 0]),
  conv([1, 2, 8, 7], [3, 2, 3, 3], [1, 1], [2, 1], [2, 2]),
  conv([1, 4, 6, 6], [6, 2, 3, 3], [1, 1], [1, 1], [1, 1], 2),
  conv([2, 3, 5, 5], [3, 1, 3, 3], [1, 1], [1, 1], [1, 1], 3),
  conv([2, 3, 4, 4], [5, 3, 1, 1]),
  conv([1, 2, 4, 5], [2, 2, 4, 5]),
  conv([1, 1, 9, 9], [2, 1, 2, 2], [3, 3], [0, 0]),
  conv([1, 2, 6, 6], [2, 1, 3, 3], [2, 2], [2, 2], [1, 1], 2),
  conv([1, 1, 1, 1], [1, 1, 1, 1]),
  conv([0, 2, 4, 4], [3, 2, 3, 3]),
];

const describeConv = (c: ConvConfig) =>
  `x ${sh(c.x)} w ${sh(c.w)} stride ${sh(c.p.stride)} pad ${sh(c.p.padding)} dil ${sh(c.p.dilation)} groups ${c.p.groups}`;

export function conv2dCases(): ComputeCase[] {
  return CONVS.map((c) => {
    const x = randn(rng, c.x);
    const w = randn(rng, c.w);
    const out = convOutShape(c.x, c.w, c.p);
    return kc(
      `conv2d ${describeConv(c)}`,
      [x, w],
      (k, [a, b]) => [k.conv2d(a!, b!, c.p, out)],
      () => [conv2dRef(x, w, c.p)],
    );
  });
}

/** conv2d + bias[O] (the optional fused kernel): the float64 convolution plus the bias, per channel. */
export function conv2dBiasCases(): ComputeCase[] {
  const biasRng = new Rng(8100);
  return CONVS.map((c) => {
    const x = randn(biasRng, c.x);
    const w = randn(biasRng, c.w);
    const b = randn(biasRng, [c.w[0]!]);
    const out = convOutShape(c.x, c.w, c.p);
    const plane = out[2]! * out[3]!;
    const O = out[1]!;
    return kc(
      `conv2dBias ${describeConv(c)}`,
      [x, w, b],
      (k, [a, wt, bias]) => [k.conv2dBias!(a!, wt!, bias!, c.p, out)],
      () => {
        const y = conv2dRef(x, w, c.p);
        const bo = (i: number) => b.data[Math.floor(i / plane) % O]!;
        return [
          host(
            out,
            'float32',
            y.data.map((v, i) => v + bo(i)),
            y.data.map((_, i) => (y.scale?.[i] ?? 0) + Math.abs(bo(i))),
          ),
        ];
      },
    );
  });
}

export function conv2dBackwardInputCases(): ComputeCase[] {
  return CONVS.map((c) => {
    const dy = randn(rng, convOutShape(c.x, c.w, c.p));
    const w = randn(rng, c.w);
    return kc(
      `conv2dBackwardInput ${describeConv(c)}`,
      [dy, w],
      (k, [a, b]) => [k.conv2dBackwardInput(a!, b!, c.x, c.p)],
      () => [conv2dBackwardInputRef(dy, w, c.x, c.p)],
    );
  });
}

export function conv2dBackwardWeightCases(): ComputeCase[] {
  return CONVS.map((c) => {
    const x = randn(rng, c.x);
    const dy = randn(rng, convOutShape(c.x, c.w, c.p));
    return kc(
      `conv2dBackwardWeight ${describeConv(c)}`,
      [x, dy],
      (k, [a, b]) => [k.conv2dBackwardWeight(a!, b!, c.w, c.p)],
      () => [conv2dBackwardWeightRef(x, dy, c.w, c.p)],
    );
  });
}

interface PoolConfig {
  x: Shape;
  p: Pool2dParams;
}
const pool = (
  x: Shape,
  kernelSize: number[],
  stride: number[],
  padding = [0, 0],
  opts: { dilation?: number[]; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number } = {},
): PoolConfig => ({
  x,
  p: {
    kernelSize: kernelSize as [number, number],
    stride: stride as [number, number],
    padding: padding as [number, number],
    dilation: (opts.dilation ?? [1, 1]) as [number, number],
    ceilMode: opts.ceilMode ?? false,
    countIncludePad: opts.countIncludePad ?? true,
    divisorOverride: opts.divisorOverride,
  },
});

const describePool = (c: PoolConfig) =>
  `x ${sh(c.x)} k ${sh(c.p.kernelSize)} stride ${sh(c.p.stride)} pad ${sh(c.p.padding)}` +
  `${c.p.dilation[0] * c.p.dilation[1] !== 1 ? ` dil ${sh(c.p.dilation)}` : ''}${c.p.ceilMode ? ' ceil' : ''}`;

const MAX_POOLS: PoolConfig[] = [
  pool([1, 2, 4, 4], [2, 2], [2, 2]),
  pool([2, 3, 7, 7], [3, 3], [2, 2], [1, 1]),
  pool([1, 1, 6, 6], [3, 3], [2, 2], [0, 0], { ceilMode: true }),
  pool([1, 1, 6, 6], [3, 3], [2, 2], [1, 1], { ceilMode: true }),
  pool([1, 2, 5, 7], [2, 2], [2, 2], [1, 1], { ceilMode: true }),
  pool([1, 1, 5, 5], [2, 2], [1, 1], [0, 0], { dilation: [2, 2] }),
  pool([1, 1, 7, 8], [3, 2], [2, 1], [1, 0], { dilation: [2, 1] }),
  pool([2, 1, 5, 6], [2, 3], [1, 2]),
  pool([1, 1, 5, 5], [3, 3], [1, 1], [1, 1]),
  pool([1, 1, 1, 1], [1, 1], [1, 1]),
];

/** All-negative inputs so that a backend that pads with 0 instead of -Infinity is caught. */
function negDistinct(shape: Shape) {
  const t = randDistinct(rng, shape);
  const max = Math.max(0, ...t.data);
  return host(
    t.shape,
    'float32',
    t.data.map((v) => v - max - 1),
  );
}

export function maxPool2dCases(): ComputeCase[] {
  return MAX_POOLS.map((c, i) => {
    const x = i % 2 === 1 ? negDistinct(c.x) : randDistinct(rng, c.x);
    const out = poolOutShape(c.x, c.p);
    return kc(
      `maxPool2d ${describePool(c)}${i % 2 === 1 ? ' (all negative)' : ''} -> ${sh(out)}`,
      [x],
      (k, [a]) => {
        const r = k.maxPool2d(a!, c.p, out);
        return [r.values, r.indices];
      },
      () => maxPool2dRef(x, c.p),
    );
  });
}

export function maxPool2dBackwardCases(): ComputeCase[] {
  return MAX_POOLS.map((c) => {
    const [, indices] = maxPool2dRef(randDistinct(rng, c.x), c.p);
    const dy = randn(rng, indices.shape);
    return kc(
      `maxPool2dBackward ${describePool(c)}`,
      [dy, indices],
      (k, [a, b]) => [k.maxPool2dBackward(a!, b!, c.x, c.p)],
      () => [maxPool2dBackwardRef(dy, indices, c.x)],
    );
  });
}

const AVG_POOLS: PoolConfig[] = [
  pool([1, 2, 4, 4], [2, 2], [2, 2]),
  pool([2, 3, 7, 7], [3, 3], [2, 2], [1, 1]),
  pool([2, 3, 7, 7], [3, 3], [2, 2], [1, 1], { countIncludePad: false }),
  pool([1, 1, 6, 6], [3, 3], [2, 2], [0, 0], { ceilMode: true }),
  pool([1, 1, 6, 6], [3, 3], [2, 2], [1, 1], { ceilMode: true }),
  pool([1, 1, 6, 6], [3, 3], [2, 2], [1, 1], { ceilMode: true, countIncludePad: false }),
  pool([1, 2, 5, 7], [2, 3], [1, 2], [1, 1]),
  pool([1, 2, 5, 5], [3, 3], [2, 2], [1, 1], { divisorOverride: 4 }),
  pool([1, 1, 5, 6], [4, 2], [3, 2], [2, 1], { ceilMode: true }),
  pool([1, 1, 1, 1], [1, 1], [1, 1]),
];

const describeAvg = (c: PoolConfig) =>
  `${describePool(c)}${c.p.countIncludePad ? '' : ' exclude-pad'}${c.p.divisorOverride !== undefined ? ` divisor ${c.p.divisorOverride}` : ''}`;

export function avgPool2dCases(): ComputeCase[] {
  return AVG_POOLS.map((c) => {
    const x = randn(rng, c.x);
    const out = poolOutShape(c.x, c.p);
    return kc(
      `avgPool2d ${describeAvg(c)} -> ${sh(out)}`,
      [x],
      (k, [a]) => [k.avgPool2d(a!, c.p, out)],
      () => [avgPool2dRef(x, c.p)],
    );
  });
}

export function avgPool2dBackwardCases(): ComputeCase[] {
  return AVG_POOLS.map((c) => {
    const dy = randn(rng, poolOutShape(c.x, c.p));
    return kc(
      `avgPool2dBackward ${describeAvg(c)}`,
      [dy],
      (k, [a]) => [k.avgPool2dBackward(a!, c.x, c.p)],
      () => [avgPool2dBackwardRef(dy, c.x, c.p)],
    );
  });
}
