/** Reductions (sum, mean, max/min, prod, arg*, var/std, logsumexp) and softmax, with gradients. */
import { formatShape } from '../backend/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { MaxMinResult, Tensor } from '../tensor/tensor.js';
import { valuesIndices } from './named-tuple.js';
import { castNoGrad, constant, output } from './util.js';
import { normalizeDim, reshape } from './layout.js';
import { where } from './elementwise.js';
import { scatterAdd } from './indexing.js';
import { op, recordGrad, type OpSpec } from './op.js';
import { argminKernel } from './optional-kernels.js';

export type Dims = number | readonly number[] | null | undefined;

/** Normalise reduction dims: null/undefined/[] -> every axis; sorted, unique, non-negative. */
export function normalizeDims(dims: Dims, rank: number, op: string): number[] {
  if (dims === null || dims === undefined) return [...Array(rank).keys()];
  const list = typeof dims === 'number' ? [dims] : [...dims];
  if (list.length === 0) return [...Array(rank).keys()];
  const out = list.map((d) => normalizeDim(d, rank, op));
  // A 0-d tensor accepts dim 0 / -1 (as PyTorch) and has no axis to reduce.
  if (rank === 0) return [];
  const unique = [...new Set(out)].sort((a, b) => a - b);
  if (unique.length !== out.length)
    throw new Error(
      `${op}: dim ${out.find((d, i) => out.indexOf(d) !== i)} appears multiple times in the list of dims`,
    );
  return unique;
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}
function droppedShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/** Raw kernel reduce + keepdim reshape, no autograd. */
function reduceRaw(kind: 'sum' | 'max' | 'min' | 'prod', x: Tensor, axes: number[], keepdim: boolean): Tensor {
  const shape = keepdim ? keptShape(x.shape, axes) : droppedShape(x.shape, axes);
  if (axes.length === 0) return x.clone();
  return output(x.backend, x.backend.kernels[kind](x.ref, axes), shape, x.dtype);
}

/** Expand a reduced gradient back over the reduced axes. */
function expandBack(g: Tensor, inputShape: readonly number[], axes: readonly number[]): Tensor {
  const kept = reshape(g, keptShape(inputShape, axes));
  return kept.expand(inputShape);
}

export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const axes = normalizeDims(dim, x.ndim, 'sum');
  return op('sum', () => {
    const input = x.dtype === 'bool' ? castNoGrad(x, 'int32') : x;
    const shape = x.shape;
    return recordGrad(reduceRaw('sum', input, axes, keepdim), [x], [], (g) => [expandBack(g, shape, axes)]);
  });
}

/** Sum `g` down to `shape` (the reverse of broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return reshape(g, shape);
  // sum and reshape record, so the gradient of a broadcast is differentiable under createGraph.
  return op('sumToShape', () => reshape(sum(g, axes), shape));
}

export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (x.dtype !== 'float32') {
    throw new Error(
      `mean(): could not infer output dtype. Input dtype must be a floating point dtype. Got: ${x.dtype}`,
    );
  }
  const axes = normalizeDims(dim, x.ndim, 'mean');
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  return op('mean', () => sum(x, axes, keepdim).div(count));
}

export function prod(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  const axes = normalizeDims(dim, x.ndim, 'prod');
  return op('prod', () => {
    const input = x.dtype === 'bool' ? castNoGrad(x, 'int32') : x;
    const out = reduceRaw('prod', input, axes, keepdim);
    const shape = x.shape;
    // d prod / d x_i = prod / x_i; where x_i == 0 recompute the product of the others.
    return recordGrad(out, [x], [x, out], (g, [xv, so]) => prodGrad(g, xv!, so!, shape, axes));
  });
}

function prodGrad(g: Tensor, xv: Tensor, so: Tensor, shape: readonly number[], axes: number[]): readonly Tensor[] {
  const pv = expandBack(so, shape, axes);
  const gv = expandBack(g, shape, axes);
  const zero = xv.eq(0);
  const safe = where(zero, 1, xv);
  const others = reduceRaw('prod', safe, axes, true).expand(shape);
  const zerosInWindow = expandBack(reduceRaw('sum', castNoGrad(zero, 'int32'), axes, false), shape, axes);
  // Exactly one zero in the window: its gradient is the product of the others; more zeros: 0.
  const atZero = where(zerosInWindow.eq(1), others, 0);
  const grad = where(zero, atZero, pv.div(safe));
  return [gv.mul(grad)];
}

function checkNonEmpty(x: Tensor, axes: number[], op: string): void {
  for (const a of axes) {
    if (x.shape[a] === 0) {
      throw new Error(
        `${op}(): Expected reduction dim ${a} to have non-zero size (input shape ${formatShape(x.shape)}).`,
      );
    }
  }
  if (x.numel === 0 && axes.length === x.ndim) {
    throw new Error(
      `${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
    );
  }
}

/**
 * amax/amin: the gradient is shared evenly by the tied maxima (as PyTorch). `nanTies` is max()/
 * min() of the whole tensor (PyTorch's evenly_distribute_backward): a NaN result shares the
 * gradient among the NaN elements, where amax's count of elements equal to NaN is 0 (NaN grads).
 */
function extremum(kind: 'max' | 'min', x: Tensor, dim: Dims, keepdim: boolean, nanTies = false): Tensor {
  const axes = normalizeDims(dim, x.ndim, kind === 'max' ? 'amax' : 'amin');
  checkNonEmpty(x, axes, kind === 'max' ? 'amax' : 'amin');
  return op(`a${kind}`, () => {
    const input = x.dtype === 'bool' ? castNoGrad(x, 'int32') : x;
    const raw = reduceRaw(kind, input, axes, keepdim);
    const out = input !== x ? castNoGrad(raw, 'bool') : raw;
    const shape = x.shape;
    return recordGrad(out, [x], [x, out], (g, [sx, so]) => {
      const result = expandBack(so!, shape, axes);
      const ties = nanTies ? where(result.ne(result), sx!.ne(sx!), sx!.eq(result)) : sx!.eq(result);
      const mask = castNoGrad(ties, 'float32');
      const count = expandBack(reduceRaw('sum', mask, axes, false), shape, axes);
      return [expandBack(g, shape, axes).mul(mask).div(count)];
    });
  });
}
export const amax = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extremum('max', x, dim, keepdim);
export const amin = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extremum('min', x, dim, keepdim);
/** x.max() / x.min() without a dim. */
export const maxAll = (x: Tensor): Tensor => extremum('max', x, null, false, true);
export const minAll = (x: Tensor): Tensor => extremum('min', x, null, false, true);

/** The kernel's index along `axis` (argmin may be composed: optional-kernels.ts). */
function argKernel(kind: 'argmax' | 'argmin', x: Tensor, axis: number, shape: readonly number[]): Tensor {
  if (kind === 'argmin') return argminKernel(x, axis, shape);
  return output(x.backend, x.backend.kernels.argmax(x.ref, axis), shape, 'int32');
}

function argExtremum(kind: 'argmax' | 'argmin', x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  if (dim === null || dim === undefined) {
    if (x.numel === 0) throw new Error(`${kind}(): Expected reduction dim to be specified for input.numel() == 0.`);
    return op(kind, () => {
      const r = argKernel(kind, reshape(x, [x.numel]), 0, []);
      return keepdim
        ? reshape(
            r,
            x.shape.map(() => 1),
          )
        : r;
    });
  }
  const axis = normalizeDim(dim, x.ndim, kind);
  checkNonEmpty(x, [axis], kind);
  return argKernel(kind, x, axis, keepdim ? keptShape(x.shape, [axis]) : droppedShape(x.shape, [axis]));
}
export const argmax = (x: Tensor, dim?: number | null, keepdim = false): Tensor =>
  argExtremum('argmax', x, dim, keepdim);
export const argmin = (x: Tensor, dim?: number | null, keepdim = false): Tensor =>
  argExtremum('argmin', x, dim, keepdim);

/** max(dim) / min(dim): values and indices; the gradient goes to the returned index only. */
function extremumDim(kind: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): MaxMinResult {
  const axis = normalizeDim(dim, x.ndim, kind);
  // 0-d: the value itself at index 0 (the scatter below has no axis to write along).
  if (x.ndim === 0) return op(kind, () => valuesIndices(x.clone(), constant(x.backend, 0, 'int32')));
  checkNonEmpty(x, [axis], kind);
  return op(kind, () => {
    const indices = argExtremum(kind === 'max' ? 'argmax' : 'argmin', x, axis, keepdim);
    const shape = x.shape;
    const values = recordGrad(reduceRaw(kind, x, [axis], keepdim), [x], [indices], (g, [si]) => {
      const idx = keepdim ? si! : reshape(si!, keptShape(shape, [axis]));
      const gk = keepdim ? g : reshape(g, keptShape(shape, [axis]));
      // scatterAdd (recorded), so a createGraph backward is differentiable again.
      return [scatterAdd(constant(g.backend, 0, g.dtype, shape), axis, idx, gk)];
    });
    return valuesIndices(values, indices);
  });
}
export const maxDim = (x: Tensor, dim: number, keepdim = false): MaxMinResult => extremumDim('max', x, dim, keepdim);
export const minDim = (x: Tensor, dim: number, keepdim = false): MaxMinResult => extremumDim('min', x, dim, keepdim);

export interface VarOptions {
  /** Bessel's correction: 1 (default, unbiased) or 0 (population). */
  correction?: number;
  /** Legacy torch flag: unbiased=false is correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

const VAR: OpSpec = { name: 'var', float: true };

/**
 * Slices whose max |x| lies outside [2^-20, 2^40] are scaled by it before squaring: PyTorch's cpu
 * kernel accumulates in double, so the std of [1e30, -1e30, 1e30] is 1.1547e30 there, while float32
 * squares overflow past ~1.8e19 (and underflow, losing the std of tiny values, below ~1e-19).
 * Inside the range the scale is exactly 1, so ordinary inputs give the very same results.
 */
const VAR_SCALE_BELOW = 2 ** -20;
const VAR_SCALE_ABOVE = 2 ** 40;

/**
 * The variance of x / scale and the scale (detached, shaped like the result; null when 1), so that
 * var = v * scale^2 and std = sqrt(v) * scale. Gradients flow through x / scale as through x.
 */
interface ScaledVariance {
  readonly v: Tensor;
  readonly scale: Tensor | null;
  readonly axes: number[];
  readonly keepdim: boolean;
  readonly divisor: number;
}

function scaledVariance(x: Tensor, dim: Dims | undefined, options: VarOptions): ScaledVariance {
  const correction = options.correction ?? (options.unbiased === false ? 0 : 1);
  const axes = normalizeDims(dim, x.ndim, 'var');
  const keepdim = options.keepdim ?? false;
  let n = 1;
  for (const a of axes) n *= x.shape[a]!;
  const divisor = Math.max(0, n - correction);
  const varianceOf = (y: Tensor) => sum(y.sub(mean(y, axes, true)).square(), axes, keepdim).div(divisor);
  // Nothing to scale: an empty slice (NaN, as before) or a 0-d tensor (variance 0 or NaN).
  if (x.numel === 0 || axes.length === 0) return { v: varianceOf(x), scale: null, axes, keepdim, divisor };
  const scale = noGrad(() => {
    // NaN and inf keep scale 1 (their results are NaN either way), as does an all-zero slice.
    const m = amax(x.abs(), axes, true);
    const extreme = m
      .lt(VAR_SCALE_BELOW)
      .logicalAnd(m.gt(0))
      .logicalOr(m.gt(VAR_SCALE_ABOVE).logicalAnd(m.lt(Infinity)));
    return where(extreme, m, 1);
  });
  const resultScale = keepdim ? scale : reshape(scale, droppedShape(x.shape, axes));
  return { v: varianceOf(x.div(scale)), scale: resultScale, axes, keepdim, divisor };
}

export function variance(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  return op(VAR, [x], () => {
    const { v, scale, axes, keepdim, divisor } = noGrad(() => scaledVariance(x, dim, options));
    // Two products, not scale^2: scale^2 alone may overflow where the variance does not.
    const out = scale === null ? v : noGrad(() => v.mul(scale).mul(scale));
    // PyTorch's rule, 2 (x - mean) / divisor: through the scaled forward the gradient would pass
    // g * scale^2, which overflows where the variance (up to float32's max) and its gradient do not.
    return recordGrad(out, [x], [x], (g, [sx]) => {
      const expanded = keepdim ? g : reshape(g, keptShape(sx!.shape, axes));
      return [expanded.mul(sx!.sub(mean(sx!, axes, true))).mul(2 / divisor)];
    });
  });
}

const STD: OpSpec = { name: 'std', float: true };

export function std(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  return op(STD, [x], () => {
    const { v, scale } = scaledVariance(x, dim, options);
    const root = sqrtZeroGradAtZero(v);
    return scale === null ? root : root.mul(scale);
  });
}

/**
 * sqrt whose gradient is 0 where the result is 0, as PyTorch's std backward masks it (the plain
 * rule's 1 / (2 sqrt(0)) times the variance's zero gradient would be NaN at a constant slice).
 */
function sqrtZeroGradAtZero(v: Tensor): Tensor {
  const out = noGrad(() => v.sqrt());
  return recordGrad(out, [v], [out], (g, [y]) => [where(y!.eq(0), 0, g.div(y!.mul(2)))]);
}

const LOGSUMEXP: OpSpec = { name: 'logsumexp', float: true };

export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  // PyTorch computes an int32/bool input in float32 (the cast, freed with the op, has no gradient)
  if (x.dtype !== 'float32') return op('logsumexp', () => logsumexp(castNoGrad(x, 'float32'), dim, keepdim));
  const axes = normalizeDims(dim, x.ndim, 'logsumexp');
  return op(LOGSUMEXP, [x], () => {
    // Shift by the (detached) max for stability; an all -inf slice keeps shift 0.
    const m = noGrad(() => {
      const raw =
        x.numel === 0 ? constant(x.backend, 0, 'float32', keptShape(x.shape, axes)) : reduceRaw('max', x, axes, true);
      return where(raw.abs().eq(Infinity), 0, raw);
    });
    const s = sum(x.sub(m).exp(), axes, true).log().add(m);
    return keepdim ? s : reshape(s, droppedShape(x.shape, axes));
  });
}

const SOFTMAX: OpSpec = { name: 'softmax', float: true };
const LOG_SOFTMAX: OpSpec = { name: 'logSoftmax', float: true };

/** softmax/logSoftmax of a 0-d tensor, as of its [1] reshape (backends' kernels need an axis). */
function ofScalar(x: Tensor, dim: number, name: string, f: (v: Tensor, axis: number) => Tensor): Tensor {
  normalizeDim(dim, 0, name);
  return op(name, () => reshape(f(reshape(x, [1]), 0), []));
}

export function softmax(x: Tensor, dim: number): Tensor {
  if (x.ndim === 0) return ofScalar(x, dim, 'softmax', softmax);
  return op(SOFTMAX, [x], (backend) => {
    const axis = normalizeDim(dim, x.ndim, 'softmax');
    const fused = backend.kernels.softmax;
    // an empty x has nothing to reduce (a backend's max of an empty extent may raise)
    const out =
      x.numel === 0
        ? constant(backend, 0, x.dtype, x.shape)
        : fused !== undefined
          ? output(backend, fused(x.ref, axis), x.shape, x.dtype)
          : noGrad(() => {
              const e = x.sub(reduceRaw('max', x, [axis], true)).exp();
              return e.div(sum(e, axis, true));
            });
    return recordGrad(out, [x], [out], (g, [y]) => [y!.mul(g.sub(sum(g.mul(y!), axis, true)))]);
  });
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  if (x.ndim === 0) return ofScalar(x, dim, 'logSoftmax', logSoftmax);
  return op(LOG_SOFTMAX, [x], (backend) => {
    const axis = normalizeDim(dim, x.ndim, 'logSoftmax');
    const fused = backend.kernels.logSoftmax;
    // A row holding +inf is NaN throughout, as PyTorch's kernel (x - max is NaN or -inf there, and
    // log(sum(exp)) of a NaN is NaN); x - logsumexp would give -inf at the finite entries.
    const out =
      fused !== undefined && x.numel > 0
        ? output(backend, fused(x.ref, axis), x.shape, x.dtype)
        : noGrad(() => {
            const lse = logsumexp(x, axis, true);
            return where(lse.eq(Infinity), Number.NaN, x.sub(lse));
          });
    return recordGrad(out, [x], [out], (g, [y]) => [g.sub(y!.exp().mul(sum(g, axis, true)))]);
  });
}

/**
 * Vector norm: p = 2 (default), 1, Infinity, -Infinity, 0 or any other p, with PyTorch's gradient:
 * 0 at a zero vector (where the chain rule through sqrt or pow(1/p) would give 0 * inf = NaN).
 */
const NORM: OpSpec = { name: 'norm', float: true };

/**
 * Vector norm: p = 2 (default), 1, Infinity, -Infinity, 0 or any other p, with PyTorch's gradient:
 * 0 at a zero vector (where the chain rule through sqrt or pow(1/p) would give 0 * inf = NaN).
 */
export function norm(x: Tensor, p: number, dim: Dims, keepdim: boolean): Tensor {
  return op(NORM, [x], () => {
    if (p === 1) return sum(x.abs(), dim, keepdim);
    // PyTorch 1.13's max/min norm over an empty extent is 0 (amax/amin would refuse it)
    if (Math.abs(p) === Infinity && normalizeDims(dim, x.ndim, 'norm').some((a) => x.shape[a] === 0))
      return sum(x.abs(), dim, keepdim);
    if (p === Infinity) return amax(x.abs(), dim, keepdim);
    if (p === -Infinity) return amin(x.abs(), dim, keepdim);
    if (p === 0) return sum(castNoGrad(x.ne(0), 'float32'), dim, keepdim);
    const axes = normalizeDims(dim, x.ndim, 'norm');
    const out = noGrad(() =>
      p === 2 ? sum(x.square(), axes, keepdim).sqrt() : sum(x.abs().pow(p), axes, keepdim).pow(1 / p),
    );
    const shape = x.shape;
    return recordGrad(out, [x], [x, out], (g, [v, so]) => {
      const n = expandBack(so!, shape, axes);
      const gv = expandBack(g, shape, axes);
      if (p < 1) {
        // sgn(x) |x|^(p-1) (0 at x = 0) * g * norm^(1-p): no division by the norm.
        const scaled = where(v!.eq(0), 0, v!.sign().mul(v!.abs().pow(p - 1)));
        return [scaled.mul(gv).mul(n.pow(1 - p))];
      }
      const scale = where(n.eq(0), 0, gv.div(p === 2 ? n : n.pow(p - 1)));
      if (p === 2) return [v!.mul(scale)];
      // sgn(x) |x|^(p-1), not x |x|^(p-2): the latter is 0 * inf at x = 0 for p < 2.
      const signedPower = v!.sign().mul(v!.abs().pow(p - 1));
      return [signedPower.mul(scale)];
    });
  });
}

/** torch.all(x) / x.all(dim, keepdim): true where no element (along dim) is zero. */
export function all(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return noGrad(() => op('all', () => sum(x.eq(0), dim, keepdim).eq(0)));
}
/** torch.any(x) / x.any(dim, keepdim): true where some element (along dim) is nonzero. */
export function any(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return noGrad(() => op('any', () => sum(x.ne(0), dim, keepdim).gt(0)));
}
