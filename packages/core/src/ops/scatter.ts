/**
 * Scatter writes (torch.scatter / scatter_reduce / index_add / index_copy / index_fill), out of place
 * with gradients; the in-place `_` forms are Tensor methods over these. One kernel (`scatter`)
 * does the writes; the index_* ops are scatters along one dim with the 1-D index broadcast.
 */
import type { ScatterReduction } from '../backend/kernels.js';
import { formatShape } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { isTensor } from '../tensor/binding.js';
import { op, recordGrad } from './op.js';
import { constant, output } from './util.js';
import { normalizeDim, reshape, slice } from './layout.js';
import { gather, scatterAdd } from './indexing.js';
import { where } from './elementwise.js';

/** torch.scatter's `reduce=` (PyTorch 1.13 accepts these two). */
export type ScatterMode = 'add' | 'multiply';
/** torch.scatter_reduce's `reduce`. */
export type ScatterReduceMode = 'sum' | 'prod' | 'mean' | 'amax' | 'amin';

export interface ScatterOptions {
  reduce?: ScatterMode | undefined;
}
export interface ScatterReduceOptions {
  /** Whether x's own values take part in the reduction (PyTorch's include_self, default true). */
  includeSelf?: boolean | undefined;
}

/** PyTorch's gather/scatter shape rules; returns the normalized axis. */
function checkScatter(name: string, x: Tensor, dim: number, index: Tensor, src: Tensor | null): number {
  if (index.dtype !== 'int32') {
    throw new Error(
      `${name}(): Expected dtype int32 for index, got ${index.dtype} (shape ${formatShape(index.shape)})`,
    );
  }
  const axis = normalizeDim(dim, x.ndim, name);
  if (index.ndim !== x.ndim || (src !== null && src.ndim !== x.ndim)) {
    throw new Error(
      `${name}(): Index tensor must have the same number of dimensions as self${src === null ? '' : ' and src'} (self ${formatShape(x.shape)}, index ${formatShape(index.shape)}${src === null ? '' : `, src ${formatShape(src.shape)}`})`,
    );
  }
  for (let i = 0; i < x.ndim; i++) {
    if ((src !== null && index.shape[i]! > src.shape[i]!) || (i !== axis && index.shape[i]! > x.shape[i]!)) {
      throw new Error(
        `${name}(): Expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(x.shape)} apart from dimension ${axis}${src === null ? '' : ` and to be smaller size than src ${formatShape(src.shape)}`}`,
      );
    }
  }
  if (src !== null && src.dtype !== x.dtype) {
    throw new Error(`${name}(): Expected self.dtype to be equal to src.dtype (${x.dtype} vs ${src.dtype})`);
  }
  return axis;
}

/** src cut to index's shape (the kernel reads exactly that block); recorded slices keep the graph. */
function srcForIndex(src: Tensor, index: Tensor): Tensor {
  let out = src;
  for (let i = 0; i < src.ndim; i++) if (out.shape[i] !== index.shape[i]) out = slice(out, i, 0, index.shape[i]!);
  return out;
}

/** The kernel call, unrecorded. */
function scatterRaw(
  x: Tensor,
  axis: number,
  index: Tensor,
  src: Tensor,
  reduce: ScatterReduction,
  includeSelf: boolean,
): Tensor {
  const k = x.backend.kernels;
  return output(x.backend, k.scatter(x.ref, axis, index.ref, src.ref, reduce, includeSelf), x.shape, x.dtype);
}

/** Which elements of a tensor of `shape` the index writes to (bool), unrecorded. */
function hitMask(like: Tensor, axis: number, index: Tensor): Tensor {
  const b = like.backend;
  const none = constant(b, 0, 'bool', like.shape);
  return scatterRaw(none, axis, index, constant(b, 1, 'bool', index.shape), 'none', true);
}

/** How many index elements write to each element of `like`'s shape, plus `start` (float32), unrecorded. */
function hitCount(like: Tensor, axis: number, index: Tensor, start: number): Tensor {
  const b = like.backend;
  const base = constant(b, start, 'float32', like.shape);
  return scatterRaw(base, axis, index, constant(b, 1, 'float32', index.shape), 'sum', true);
}

/**
 * torch.scatter(x, dim, index, src | value, reduce?): a copy of x with src's values (or the scalar)
 * written where index points along dim. Duplicates: the last in index order wins (PyTorch leaves it
 * undefined; its CPU kernel does the same). `reduce: 'add' | 'multiply'` combines instead (as
 * scatterReduce 'sum' / 'prod' with includeSelf, so unlike PyTorch 1.13 it also has a gradient).
 */
export function scatter(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor | number,
  options: ScatterOptions = {},
): Tensor {
  const { reduce } = options;
  if (reduce !== undefined && reduce !== 'add' && reduce !== 'multiply') {
    throw new Error(`scatter(): reduce argument must be either add or multiply (got '${String(reduce)}')`);
  }
  const tensorSrc = isTensor(src) ? src : null;
  const axis = checkScatter('scatter', x, dim, index, tensorSrc);
  return op('scatter', [x, index, ...(tensorSrc === null ? [] : [tensorSrc])], (backend) => {
    const values =
      tensorSrc === null ? constant(backend, src as number, x.dtype, index.shape) : srcForIndex(tensorSrc, index);
    if (reduce !== undefined) return scatterReduce(x, axis, index, values, reduce === 'add' ? 'sum' : 'prod');
    const out = scatterRaw(x, axis, index, values, 'none', true);
    const inputs = tensorSrc === null ? [x] : [x, values];
    return recordGrad(out, inputs, [index], (g, [si]) => {
      const gx = where(hitMask(g, axis, si!), 0, g);
      return tensorSrc === null ? [gx] : [gx, gather(g, axis, si!)];
    });
  });
}

const REDUCE_MODES: readonly string[] = ['sum', 'prod', 'mean', 'amax', 'amin'];

/**
 * torch.scatter_reduce(x, dim, index, src, reduce, include_self=True): every element index points
 * at becomes the reduction ('sum', 'prod', 'mean', 'amax', 'amin') of the src values aimed at it,
 * and of its own value with includeSelf. Integer 'mean' rounds down, as PyTorch. Gradients follow
 * PyTorch's rules: amax/amin share the gradient evenly among tied maxima, prod handles zeros.
 */
export function scatterReduce(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor,
  reduce: ScatterReduceMode,
  options: ScatterReduceOptions = {},
): Tensor {
  if (!REDUCE_MODES.includes(reduce)) {
    throw new Error(
      `scatterReduce(): reduce argument must be either sum, prod, mean, amax or amin, got ${String(reduce)}`,
    );
  }
  const includeSelf = options.includeSelf ?? true;
  const axis = checkScatter('scatterReduce', x, dim, index, src);
  if (x.dtype === 'bool') throw new Error('scatterReduce(): expected a float32 or int32 tensor, got bool');
  return op('scatterReduce', [x, index, src], () => {
    const s = srcForIndex(src, index);
    let out: Tensor;
    if (reduce === 'mean') {
      const total = scatterRaw(x, axis, index, s, 'sum', includeSelf);
      // Not hit and not including self: the count is 0 and the sum is x itself.
      const count = hitCount(x, axis, index, includeSelf ? 1 : 0).clamp(1);
      const mean = x.dtype === 'float32' ? total.div(count) : total.div(count).floor();
      out = mean.dtype === x.dtype ? mean : mean.to(x.dtype);
    } else out = scatterRaw(x, axis, index, s, reduce, includeSelf);
    return recordGrad(out, [x, s], [x, index, s, out], (g, [sx, si, ss, so]) =>
      scatterReduceGrad(reduce, includeSelf, axis, g, sx!, si!, ss!, so!),
    );
  });
}

/** PyTorch's scatter_reduce_backward, written with recorded ops (createGraph differentiates it). */
function scatterReduceGrad(
  reduce: ScatterReduceMode,
  includeSelf: boolean,
  axis: number,
  g: Tensor,
  x: Tensor,
  index: Tensor,
  src: Tensor,
  out: Tensor,
): [Tensor, Tensor] {
  let gx: Tensor;
  let gs: Tensor;
  if (reduce === 'sum') {
    gx = g;
    gs = gather(g, axis, index);
  } else if (reduce === 'mean') {
    const count = hitCount(g, axis, index, includeSelf ? 1 : 0).clamp(1);
    gx = g.div(count);
    gs = gather(gx, axis, index);
  } else if (reduce === 'prod') {
    // Products without the factor being differentiated, exact where a factor is 0 (as PyTorch).
    const xZero = x.eq(0);
    const maskedX = where(xZero, 1, x);
    gx = g.mul(scatterReduce(maskedX, axis, index, src, 'prod', { includeSelf })).div(maskedX);
    const srcZero = src.eq(0);
    const zerosPerTarget = gather(hitCountOf(srcZero, x, axis, index), axis, index);
    const singleZero = srcZero.logicalAnd(zerosPerTarget.eq(1));
    const maskedSrc = where(singleZero, 1, src);
    const withoutZero = scatterReduce(x, axis, index, maskedSrc, 'prod', { includeSelf });
    gs = where(
      singleZero,
      gather(g.mul(withoutZero), axis, index),
      gather(g.mul(out), axis, index).div(where(srcZero, 1, src)),
    );
  } else {
    // amax / amin: the gradient is shared evenly by every value equal to the result.
    const value = gather(out, axis, index);
    // PyTorch counts x's ties even without includeSelf (x's own gradient is then zeroed below).
    const selfIs = x.eq(out);
    const srcIs = src.eq(value);
    const ties = scatterAdd(selfIs.to('float32'), axis, index, srcIs.to('float32'));
    const share = g.div(ties);
    gx = where(selfIs, share, 0);
    gs = where(srcIs, gather(share, axis, index), 0);
  }
  // Without includeSelf the elements written to do not depend on x.
  if (!includeSelf) gx = where(hitMask(g, axis, index), 0, gx);
  return [gx, gs];
}

/** Per element of x's shape: how many of the flagged src positions write to it (float32). */
function hitCountOf(flags: Tensor, like: Tensor, axis: number, index: Tensor): Tensor {
  return scatterAdd(constant(like.backend, 0, 'float32', like.shape), axis, index, flags.to('float32'));
}

/** The 1-D index of index_add/copy/fill, checked, and broadcast to `shape` along `axis`. */
function indexAlong(name: string, x: Tensor, axis: number, index: Tensor, shape: readonly number[]): Tensor {
  if (index.dtype !== 'int32') {
    throw new Error(
      `${name}(): Expected dtype int32 for index, got ${index.dtype} (shape ${formatShape(index.shape)})`,
    );
  }
  if (index.ndim > 1) {
    throw new Error(`${name}(): Index is supposed to be a vector (got shape ${formatShape(index.shape)})`);
  }
  const n = index.numel;
  if (shape[axis] !== n) {
    throw new Error(
      `${name}(): Number of indices (${n}) should be equal to source.size(dim) (${shape[axis]}) (self ${formatShape(x.shape)}, dim ${axis})`,
    );
  }
  // Negative entries count from the end, as PyTorch's index_* ops accept.
  const size = x.ndim === 0 ? 1 : x.shape[axis]!;
  const flat = reshape(index, [n]);
  const wrapped = where(flat.lt(0), flat.add(size), flat);
  return reshape(
    wrapped,
    shape.map((d, i) => (i === axis ? d : 1)),
  ).expand(shape);
}

function checkSource(name: string, x: Tensor, axis: number, source: Tensor): void {
  const ok = source.ndim === x.ndim && source.shape.every((d, i) => i === axis || d === x.shape[i]);
  const scalarCase = x.ndim <= 1 && source.ndim <= 1;
  if (!ok && !scalarCase) {
    throw new Error(
      `${name}(): source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = ${formatShape(x.shape)} source.shape = ${formatShape(source.shape)}`,
    );
  }
  if (source.dtype !== x.dtype) {
    throw new Error(`${name}(): self (${x.dtype}) and source (${source.dtype}) must have the same scalar type`);
  }
}

/** torch.index_add(x, dim, index, source, alpha=1): x with alpha * source's slices added at index along dim. */
export function indexAdd(
  x: Tensor,
  dim: number,
  index: Tensor,
  source: Tensor,
  options: { alpha?: number } = {},
): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'indexAdd');
  checkSource('indexAdd', x, axis, source);
  return op('indexAdd', [x, index, source], () => {
    const src = x.ndim === 0 ? reshape(source, []) : source;
    const full = indexAlong('indexAdd', x, axis, index, src.shape.length === 0 ? [1] : src.shape);
    const scaled = options.alpha === undefined || options.alpha === 1 ? src : src.mul(options.alpha);
    if (x.ndim === 0) return reshape(scatterAdd(reshape(x, [1]), 0, full, reshape(scaled, [1])), []);
    return scatterAdd(x, axis, full, scaled);
  });
}

/** torch.index_copy(x, dim, index, source): x with its slices at index along dim replaced by source's. */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'indexCopy');
  checkSource('indexCopy', x, axis, source);
  return op('indexCopy', [x, index, source], () => {
    if (x.ndim === 0) {
      const full = indexAlong('indexCopy', x, 0, index, [1]);
      return reshape(scatter(reshape(x, [1]), 0, full, reshape(source, [1])), []);
    }
    return scatter(x, axis, indexAlong('indexCopy', x, axis, index, source.shape), source);
  });
}

/** torch.index_fill(x, dim, index, value): x with its slices at index along dim set to value. */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: number): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'indexFill');
  return op('indexFill', [x, index], () => {
    const shape = x.ndim === 0 ? [index.numel] : x.shape.map((d, i) => (i === axis ? index.numel : d));
    const full = indexAlong('indexFill', x, axis, index, shape);
    if (x.ndim === 0) return reshape(scatter(reshape(x, [1]), 0, full, value), []);
    return scatter(x, axis, full, value);
  });
}
