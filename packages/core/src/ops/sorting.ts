/**
 * Sorting and selection (sort, argsort, msort, topk, kthvalue, median, nanmedian, mode) over the
 * `sort` kernel. Every selection is a position in the stable sorted order, turned into the input's
 * index there; values are gathered at those indices, so their gradient is gather's (scattered back
 * through the indices), as PyTorch's. Index results are int32 (PyTorch: int64).
 */
import { formatShape } from '../backend/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { MaxMinResult, Tensor } from '../tensor/tensor.js';
import { valuesIndices } from './named-tuple.js';
import { castNoGrad, constant, output } from './util.js';
import { cat, normalizeDim, reshape, slice, squeeze } from './layout.js';
import { where } from './elementwise.js';
import { gather, scatterAdd } from './indexing.js';
import { op, recordGrad } from './op.js';
import { cumulativeRaw, positionsAlong } from './scan.js';

/** What sort() accepts instead of positional (dim, descending): PyTorch's keywords. */
export interface SortOptions {
  dim?: number;
  descending?: boolean;
  /** Flint's sort is always stable; accepted for PyTorch's `stable=True`. */
  stable?: boolean;
}

/** Options of topk (PyTorch's keywords). */
export interface TopkOptions {
  dim?: number;
  largest?: boolean;
  /** Results are always sorted; accepted for PyTorch's `sorted=`. */
  sorted?: boolean;
}

/** The kernel's stable sort (bool through int32), no autograd; a rank-0 x sorts as [1]. */
function sortRaw(x: Tensor, axis: number, descending: boolean): MaxMinResult {
  return op('sort', () => {
    const flat = x.ndim === 0 ? reshape(x, [1]) : x;
    const input = flat.dtype === 'bool' ? castNoGrad(flat, 'int32') : flat;
    const r = x.backend.kernels.sort(input.ref, axis, descending);
    const values = output(x.backend, r.values, flat.shape, input.dtype);
    const indices = output(x.backend, r.indices, flat.shape, 'int32');
    return valuesIndices(reshape(castNoGrad(values, x.dtype), x.shape), reshape(indices, x.shape));
  });
}

/** g scattered back to `shape` through the indices it was gathered at. */
function scatterBack(g: Tensor, shape: readonly number[], axis: number, indices: Tensor): Tensor {
  return scatterAdd(constant(g.backend, 0, g.dtype, shape), axis, indices, g);
}

function sortArgs(dimOrOptions: number | SortOptions | undefined, descending: boolean): [number, boolean] {
  if (typeof dimOrOptions === 'object') return [dimOrOptions.dim ?? -1, dimOrOptions.descending ?? false];
  return [dimOrOptions ?? -1, descending];
}

/** torch.sort: { values, indices }; stable (equal values keep their order), NaN sorts as the largest. */
export function sort(x: Tensor, dimOrOptions?: number | SortOptions, descending = false): MaxMinResult {
  const [dim, desc] = sortArgs(dimOrOptions, descending);
  const axis = normalizeDim(dim, x.ndim, 'sort');
  return op('sort', () => {
    const { values, indices } = sortRaw(x, axis, desc);
    if (x.dtype !== 'float32') return valuesIndices(values, indices);
    const shape = x.shape;
    const result = recordGrad(values, [x], [indices], (g, [si]) => [
      shape.length === 0 ? g : scatterBack(g, shape, axis, si!),
    ]);
    return valuesIndices(result, indices);
  });
}

/** torch.argsort: the indices of sort (stable). */
export function argsort(x: Tensor, dimOrOptions?: number | SortOptions, descending = false): Tensor {
  const [dim, desc] = sortArgs(dimOrOptions, descending);
  const axis = normalizeDim(dim, x.ndim, 'argsort');
  return op('argsort', () => sortRaw(x, axis, desc).indices);
}

/** torch.msort: sort along dim 0, values only. */
/** torch.msort: sort along dim 0 (a 0-d tensor is returned as it is, as PyTorch 1.13). */
export function msort(x: Tensor): Tensor {
  return op('msort', () => sort(x, 0).values);
}

/** Values gathered at `indices` along `axis` (differentiable through gather), with the indices. */
function takeAlong(x: Tensor, axis: number, indices: Tensor, keepdim: boolean): MaxMinResult {
  return op('gather', () => {
    const values = gather(x, axis, indices);
    if (keepdim) return valuesIndices(values, reshape(indices, indices.shape));
    return valuesIndices(squeeze(values, axis), squeeze(indices, axis));
  });
}

/** x as rank >= 1 (a rank-0 tensor is a line of one) and the undo for results. */
function atLeast1d(x: Tensor): Tensor {
  return x.ndim === 0 ? reshape(x, [1]) : x;
}

function scalarResult(r: MaxMinResult, wasScalar: boolean): MaxMinResult {
  if (!wasScalar) return r;
  return op('reshape', () => valuesIndices(reshape(r.values, []), reshape(r.indices, [])));
}

/** torch.topk: the k largest (or smallest) along dim, sorted; ties keep input order. */
export function topk(x: Tensor, k: number, dimOrOptions?: number | TopkOptions, largest = true): MaxMinResult {
  const dim = typeof dimOrOptions === 'object' ? (dimOrOptions.dim ?? -1) : (dimOrOptions ?? -1);
  const big = typeof dimOrOptions === 'object' ? (dimOrOptions.largest ?? true) : largest;
  const axis = normalizeDim(dim, x.ndim, 'topk');
  const n = x.ndim === 0 ? 1 : x.shape[axis]!;
  // PyTorch 1.13 returns a 0-d input itself even for k = 0 (its result cannot have k elements).
  const taken = x.ndim === 0 && k === 0 ? 1 : k;
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new Error(
      `topk(): selected index k out of range: k = ${k}, dimension ${axis} of input ${formatShape(x.shape)} has size ${n}`,
    );
  }
  return op('topk', () => {
    const line = atLeast1d(x);
    const order = noGrad(() => slice(sortRaw(line, axis, big).indices, axis, 0, taken));
    return scalarResult(takeAlong(line, axis, order, true), x.ndim === 0);
  });
}

function checkReducible(x: Tensor, axis: number, op: string): void {
  if (x.ndim > 0 && x.shape[axis] === 0) {
    throw new Error(
      `${op}(): Expected reduction dim ${axis} to have non-zero size (input shape ${formatShape(x.shape)}).`,
    );
  }
}

/**
 * The element at sorted position `pos` (int32, x's shape with the axis of size 1) of each line:
 * its value and index in x.
 */
function atSortedPosition(line: Tensor, axis: number, pos: (sorted: MaxMinResult) => Tensor, keepdim: boolean) {
  const index = noGrad(() => {
    const sorted = sortRaw(line, axis, false);
    return gather(sorted.indices, axis, pos(sorted));
  });
  return takeAlong(line, axis, index, keepdim);
}

/** torch.kthvalue: the k-th smallest (1-based) along dim, and its index. */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): MaxMinResult {
  const axis = normalizeDim(dim, x.ndim, 'kthvalue');
  const n = x.ndim === 0 ? 1 : x.shape[axis]!;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new Error(
      `kthvalue(): selected number k out of range for dimension ${axis}: k = ${k}, input ${formatShape(x.shape)} (expected 1 <= k <= ${n})`,
    );
  }
  return op('kthvalue', () => {
    const line = atLeast1d(x);
    const shape = line.shape.map((d, i) => (i === axis ? 1 : d));
    const r = atSortedPosition(line, axis, () => constant(x.backend, k - 1, 'int32', shape), keepdim || x.ndim === 0);
    return scalarResult(r, x.ndim === 0);
  });
}

/** Per line: the number of NaNs (int32, the axis kept as size 1). */
function nanCount(values: Tensor, axis: number): Tensor {
  return castNoGrad(values.ne(values), 'int32').sum(axis, true);
}

/** The lower middle position among `count` elements (count >= 1), as int32. */
function lowerMiddle(count: Tensor): Tensor {
  return castNoGrad(count.sub(1).div(2).floor().clamp(0), 'int32');
}

function medianAlong(x: Tensor, axis: number, keepdim: boolean, ignoreNaN: boolean, name: string): MaxMinResult {
  checkReducible(x, axis, name);
  return op(name, () => {
    const line = atLeast1d(x);
    const n = line.shape[axis]!;
    const shape = line.shape.map((d, i) => (i === axis ? 1 : d));
    const r = atSortedPosition(
      line,
      axis,
      (sorted) => {
        if (line.dtype !== 'float32') return constant(x.backend, (n - 1) >> 1, 'int32', shape);
        const nans = nanCount(sorted.values, axis);
        const count = nans.neg().add(n);
        // median: a line with NaN gives its first NaN (sorted last); nanmedian skips them.
        if (ignoreNaN) return lowerMiddle(count);
        return where(nans.gt(0), count, constant(x.backend, (n - 1) >> 1, 'int32', shape));
      },
      keepdim || x.ndim === 0,
    );
    return scalarResult(r, x.ndim === 0);
  });
}

/** Whole-tensor median: NaN for an empty tensor, as PyTorch. */
function medianAll(x: Tensor, ignoreNaN: boolean, name: string): Tensor {
  // NaN for an empty tensor, still on the graph (PyTorch's gradient: an empty one).
  if (x.numel === 0)
    return x.dtype === 'float32'
      ? op(name, () => x.sum().add(Number.NaN))
      : constant(x.backend, Number.NaN, x.dtype, []);
  return op(name, () => medianAlong(reshape(x, [x.numel]), 0, false, ignoreNaN, name).values);
}

/** torch.median: median() the lower middle value; median(dim, keepdim) { values, indices }. */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): MaxMinResult;
export function median(x: Tensor, dim?: number, keepdim = false): Tensor | MaxMinResult {
  if (dim === undefined) return medianAll(x, false, 'median');
  return medianAlong(x, normalizeDim(dim, x.ndim, 'median'), keepdim, false, 'median');
}

/** torch.nanmedian: the median of the non-NaN values (NaN where a line has only NaN). */
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number, keepdim?: boolean): MaxMinResult;
export function nanmedian(x: Tensor, dim?: number, keepdim = false): Tensor | MaxMinResult {
  if (dim === undefined) return medianAll(x, true, 'nanmedian');
  return medianAlong(x, normalizeDim(dim, x.ndim, 'nanmedian'), keepdim, true, 'nanmedian');
}

/**
 * torch.mode: the most frequent value along dim (the smallest among equally frequent ones) and the
 * index of its last occurrence, as PyTorch's CPU. Runs of equal values in the sorted line are
 * measured with a running max of run starts; NaNs count as equal to each other.
 */
export function mode(x: Tensor, dim = -1, keepdim = false): MaxMinResult {
  const axis = normalizeDim(dim, x.ndim, 'mode');
  checkReducible(x, axis, 'mode');
  return op('mode', () => {
    const line = atLeast1d(x);
    const n = line.shape[axis]!;
    const r = atSortedPosition(
      line,
      axis,
      (sorted) => {
        const s = sorted.values;
        const prev = slice(s, axis, 0, n - 1);
        const next = slice(s, axis, 1, n);
        let differs = next.ne(prev);
        if (s.dtype === 'float32') differs = differs.logicalAnd(next.eq(next).logicalOr(prev.eq(prev)));
        const first = constant(
          x.backend,
          1,
          'bool',
          differs.shape.map((d, i) => (i === axis ? 1 : d)),
        );
        const starts = cat([first, differs], axis);
        const position = positionsAlong(s, axis, n).expand(s.shape);
        const runStart = cumulativeRaw(where(starts, position, 0), axis, 'max');
        // The end of the first longest run: its value is the smallest mode, its last index the latest.
        return castNoGrad(position.sub(runStart), 'float32').argmax(axis, true);
      },
      keepdim || x.ndim === 0,
    );
    return scalarResult(r, x.ndim === 0);
  });
}
