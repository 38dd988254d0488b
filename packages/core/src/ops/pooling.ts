/**
 * max/avg pooling over 1-D signals (the 2-D kernels on a height-1 image) and adaptive pooling,
 * composed from existing kernels. Adaptive average pooling is the average-pooling kernel when the
 * bins are equal, otherwise a product with a host-built averaging matrix per dim. Adaptive max
 * pooling gathers each output's bin (padded to the largest bin by repeating its last element, which
 * changes no maximum) and picks the argmax with gather, so its gradient goes to one element per
 * output, as PyTorch's.
 */
import { formatShape } from '../backend/shape.js';
import { fromArray } from '../tensor/create.js';
import type { MaxMinResult, Tensor } from '../tensor/tensor.js';
import { valuesIndices } from './named-tuple.js';
import { avgPool2d, maxPool2dWithIndices } from './conv.js';
import { gather, indexSelect } from './indexing.js';
import { expand, permute, reshape, squeeze, unsqueeze } from './layout.js';
import { where } from './elementwise.js';
import { argmax } from './reduce.js';
import { requireFloat } from './util.js';
import { op } from './op.js';

export type Size1 = number | readonly [number];

function one(v: Size1, name: string, op: string): number {
  const n = typeof v === 'number' ? v : v.length === 1 ? v[0] : Number.NaN;
  if (!Number.isInteger(n))
    throw new Error(`${op}: ${name} must be an integer or a list of 1 integer, got ${String(v)}`);
  return n as number;
}

function requireSignal(op: string, x: Tensor): void {
  requireFloat(op, x);
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new Error(`${op}: Expected 2D or 3D (batch mode) tensor for input, got ${formatShape(x.shape)}`);
}

export interface MaxPool1dOptions {
  /** Defaults to kernelSize. */
  stride?: Size1 | null;
  padding?: Size1;
  dilation?: Size1;
  ceilMode?: boolean;
}

/** F.max_pool1d with return_indices: x [N, C, L] or [C, L]; indices count positions along L. */
export function maxPool1dWithIndices(x: Tensor, kernelSize: Size1, options: MaxPool1dOptions = {}): MaxMinResult {
  requireSignal('max_pool1d', x);
  const k = one(kernelSize, 'kernel_size', 'max_pool1d');
  const s = options.stride === undefined || options.stride === null ? k : one(options.stride, 'stride', 'max_pool1d');
  const r = op('maxPool1d', () => {
    const res = maxPool2dWithIndices(unsqueeze(x, -2), [1, k], {
      stride: [1, s],
      padding: [0, one(options.padding ?? 0, 'padding', 'max_pool1d')],
      dilation: [1, one(options.dilation ?? 1, 'dilation', 'max_pool1d')],
      ceilMode: options.ceilMode ?? false,
    });
    return [squeeze(res.values, -2), squeeze(res.indices, -2)];
  });
  return valuesIndices(r[0]!, r[1]!);
}

/** F.max_pool1d: x [N, C, L] or [C, L]. */
export function maxPool1d(x: Tensor, kernelSize: Size1, options: MaxPool1dOptions = {}): Tensor {
  return op('maxPool1d', () => maxPool1dWithIndices(x, kernelSize, options).values);
}

export interface AvgPool1dOptions {
  stride?: Size1 | null;
  padding?: Size1;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** F.avg_pool1d: x [N, C, L] or [C, L]. */
export function avgPool1d(x: Tensor, kernelSize: Size1, options: AvgPool1dOptions = {}): Tensor {
  requireSignal('avg_pool1d', x);
  const k = one(kernelSize, 'kernel_size', 'avg_pool1d');
  const s = options.stride === undefined || options.stride === null ? k : one(options.stride, 'stride', 'avg_pool1d');
  return op('avgPool1d', () =>
    squeeze(
      avgPool2d(unsqueeze(x, -2), [1, k], {
        stride: [1, s],
        padding: [0, one(options.padding ?? 0, 'padding', 'avg_pool1d')],
        ceilMode: options.ceilMode ?? false,
        countIncludePad: options.countIncludePad ?? true,
      }),
      -2,
    ),
  );
}

/** An adaptive output size: an int, or one entry per spatial dim (null keeps that dim's input size). */
export type AdaptiveSize1 = number | readonly [number | null];
export type AdaptiveSize2 = number | null | readonly [number | null, number | null];

/** PyTorch's adaptive bins: output i covers [floor(i n / m), ceil((i + 1) n / m)). */
function bins(n: number, m: number): [number, number][] {
  return Array.from({ length: m }, (_, i) => [Math.floor((i * n) / m), Math.ceil(((i + 1) * n) / m)]);
}

function resolveSizes(op: string, x: Tensor, size: AdaptiveSize1 | AdaptiveSize2, dims: 1 | 2): number[] {
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new Error(
      `${op}: Expected ${dims + 1}D or ${dims + 2}D tensor for input (unbatched or batched), got ${formatShape(x.shape)}`,
    );
  }
  requireFloat(op, x);
  const list = size === null || typeof size === 'number' ? new Array<number | null>(dims).fill(size) : [...size];
  if (list.length !== dims)
    throw new Error(`${op}: output_size must be an integer or ${dims} integers, got ${formatShape(list.map(Number))}`);
  const inSizes = x.shape.slice(-dims);
  return list.map((s, i) => {
    const v = s ?? inSizes[i]!;
    if (!Number.isInteger(v) || v < 0) throw new Error(`${op}: output_size must be non-negative integers, got ${v}`);
    if (inSizes[i] === 0) throw new Error(`${op}: input ${formatShape(x.shape)} has an empty spatial dim`);
    return v;
  });
}

/**
 * The mean of each adaptive bin along the last (axis -1) or second-to-last (axis -2) dim, from
 * the bins' gathered elements (padded to the widest bin; the padding is masked out with where):
 * an inf or NaN reaches only its own bins, as in PyTorch, where an averaging matmul's 0 * inf
 * made NaN of every output of the row.
 */
function binMean(x: Tensor, axis: -1 | -2, n: number, m: number): Tensor {
  const { index, width } = binIndex(n, m);
  const valid = new Uint8Array(m * width);
  const counts = new Float32Array(m);
  bins(n, m).forEach(([s, e], i) => {
    counts[i] = e - s;
    valid.fill(1, i * width, i * width + (e - s));
  });
  const device = x.device;
  const picked = indexSelect(x, x.ndim + axis, fromArray(index, [m * width], { dtype: 'int32', device }));
  const grouped =
    axis === -1
      ? reshape(picked, [...x.shape.slice(0, -1), m, width])
      : reshape(picked, [...x.shape.slice(0, -2), m, width, x.shape[x.ndim - 1]!]);
  const mask = fromArray(valid, axis === -1 ? [m, width] : [m, width, 1], { dtype: 'bool', device });
  const sums = where(mask, grouped, 0).sum(axis === -1 ? -1 : -2);
  return sums.div(fromArray(counts, axis === -1 ? [m] : [m, 1], { device }));
}

/** F.adaptive_avg_pool1d: [N, C, L] or [C, L] -> [..., outputSize]. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: AdaptiveSize1): Tensor {
  const [m] = resolveSizes('adaptive_avg_pool1d', x, outputSize, 1) as [number];
  const n = x.shape[x.ndim - 1]!;
  return op('adaptiveAvgPool1d', () => {
    // Equal bins (global pooling included) are the average-pooling kernel's windows.
    if (m > 0 && n % m === 0) return avgPool1d(x, n / m);
    return binMean(x, -1, n, m);
  });
}

/** F.adaptive_avg_pool2d: [N, C, H, W] or [C, H, W] -> [..., oH, oW]. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize2): Tensor {
  const [mh, mw] = resolveSizes('adaptive_avg_pool2d', x, outputSize, 2) as [number, number];
  const [h, w] = x.shape.slice(-2) as [number, number];
  return op('adaptiveAvgPool2d', () => {
    // Equal bins (global pooling included) are the average-pooling kernel's windows.
    if (mh > 0 && mw > 0 && h % mh === 0 && w % mw === 0) return avgPool2d(x, [h / mh, w / mw]);
    return binMean(binMean(x, -2, h, mh), -1, w, mw);
  });
}

/** Per output i, the input positions of its bin, padded to the widest bin with its last position. */
function binIndex(n: number, m: number): { index: Int32Array; width: number } {
  const b = bins(n, m);
  const width = Math.max(1, ...b.map(([s, e]) => e - s));
  const index = new Int32Array(m * width);
  b.forEach(([s, e], i) => {
    for (let j = 0; j < width; j++) index[i * width + j] = Math.min(s + j, e - 1);
  });
  return { index, width };
}

/**
 * F.adaptive_max_pool2d with return_indices: values and int32 indices (h * W + w within each
 * plane, as PyTorch), both [..., oH, oW].
 */
export function adaptiveMaxPool2dWithIndices(x: Tensor, outputSize: AdaptiveSize2): MaxMinResult {
  const [mh, mw] = resolveSizes('adaptive_max_pool2d', x, outputSize, 2) as [number, number];
  const [h, w] = x.shape.slice(-2) as [number, number];
  const r = op('adaptiveMaxPool2d', () => {
    const input = x.ndim === 3 ? unsqueeze(x, 0) : x;
    const [N, C] = input.shape as [number, number];
    const bh = binIndex(h, mh);
    const bw = binIndex(w, mw);
    const device = x.device;
    const rows = indexSelect(input, 2, fromArray(bh.index, [bh.index.length], { dtype: 'int32', device }));
    const cells = indexSelect(rows, 3, fromArray(bw.index, [bw.index.length], { dtype: 'int32', device }));
    const k = bh.width * bw.width;
    // [N, C, oH, kh, oW, kw] -> [N, C, oH, oW, kh * kw]: each output's window on the last dim.
    const windows = reshape(permute(reshape(cells, [N, C, mh, bh.width, mw, bw.width]), [0, 1, 2, 4, 3, 5]), [
      N,
      C,
      mh,
      mw,
      k,
    ]);
    const best = argmax(windows, 4, true);
    const values = squeeze(gather(windows, 4, best), 4);
    // Each window slot's flat input position, shared by all planes.
    const positions = new Int32Array(mh * mw * k);
    for (let i = 0; i < mh; i++)
      for (let j = 0; j < mw; j++)
        for (let a = 0; a < bh.width; a++)
          for (let b = 0; b < bw.width; b++)
            positions[((i * mw + j) * bh.width + a) * bw.width + b] =
              bh.index[i * bh.width + a]! * w + bw.index[j * bw.width + b]!;
    const table = expand(fromArray(positions, [1, 1, mh, mw, k], { dtype: 'int32', device }), [N, C, mh, mw, k]);
    const indices = squeeze(gather(table, 4, best), 4);
    return x.ndim === 3 ? [squeeze(values, 0), squeeze(indices, 0)] : [values, indices];
  });
  return valuesIndices(r[0]!, r[1]!);
}

/** F.adaptive_max_pool2d: [N, C, H, W] or [C, H, W] -> [..., oH, oW]. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize2): Tensor {
  return op('adaptiveMaxPool2d', () => adaptiveMaxPool2dWithIndices(x, outputSize).values);
}

/** F.adaptive_max_pool1d with return_indices: [N, C, L] or [C, L]; indices count positions along L. */
export function adaptiveMaxPool1dWithIndices(x: Tensor, outputSize: AdaptiveSize1): MaxMinResult {
  const [m] = resolveSizes('adaptive_max_pool1d', x, outputSize, 1) as [number];
  const r = op('adaptiveMaxPool1d', () => {
    const res = adaptiveMaxPool2dWithIndices(unsqueeze(x, -2), [1, m]);
    return [squeeze(res.values, -2), squeeze(res.indices, -2)];
  });
  return valuesIndices(r[0]!, r[1]!);
}

/** F.adaptive_max_pool1d: [N, C, L] or [C, L] -> [..., outputSize]. */
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize1): Tensor {
  return op('adaptiveMaxPool1d', () => adaptiveMaxPool1dWithIndices(x, outputSize).values);
}
