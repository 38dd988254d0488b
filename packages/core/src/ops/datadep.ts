/**
 * Ops whose output shape depends on the values: nonzero/argwhere, unique/uniqueConsecutive and
 * bincount without minlength. PyTorch synchronises with the device for these too; here the values
 * are read back with dataSync (so a backend without synchronous reads, WebGPU, throws its
 * `await t.data()` error), the result is computed on the host and uploaded. bincount with a
 * minlength and histc have a fixed output size and run on the device as compositions (a
 * scatterAdd of ones or weights into the bins): no readback.
 *
 * None of them has a derivative in PyTorch: a float result of an input that requires grad
 * requires grad too, and backward through it raises PyTorch's "not implemented" error.
 */
import type { DataArray, DType, Shape } from '../backend/kernels.js';
import { arrayFor, formatShape, sizeOf } from '../backend/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { isTensor } from '../tensor/binding.js';
import type { Tensor } from '../tensor/tensor.js';
import { castNoGrad, constant, output } from './util.js';
import { normalizeDim } from './layout.js';
import { logicalOr, torchTypeName } from './math.js';
import { op, recordGrad } from './op.js';
import { logicalAnd, where } from './elementwise.js';

/** Upload host values as a kernel output on x's device. */
function upload(x: Tensor, values: DataArray, shape: Shape, dtype: DType): Tensor {
  return output(x.backend, x.backend.kernels.write(values, shape, dtype), shape, dtype);
}

/** A float result of `inputs` that requires grad when they do, with PyTorch's missing derivative. */
function noDerivative(name: string, out: Tensor, inputs: readonly Tensor[]): Tensor {
  if (out.dtype !== 'float32') return out;
  return recordGrad(out, inputs, [], () => {
    throw new Error(`the derivative for '${name}' is not implemented (PyTorch has none either)`);
  });
}

// ------------------------------------------------------------------ nonzero, argwhere

export interface NonzeroOptions {
  /** One 1-D index tensor per dim (PyTorch's as_tuple=True) instead of one [n, ndim] tensor. */
  asTuple?: boolean;
}

/** Flat positions of the nonzero elements (NaN counts as nonzero, as in PyTorch). */
function nonzeroPositions(data: DataArray): number[] {
  const hits: number[] = [];
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) hits.push(i);
  return hits;
}

/**
 * torch.nonzero: the indices of the nonzero elements, int32 [n, ndim] in row-major order; with
 * asTuple one int32 [n] per dim (a 0-d input counts as 1-D there, as in PyTorch). Reads x back.
 */
export function nonzero(x: Tensor, options?: NonzeroOptions & { asTuple?: false }): Tensor;
export function nonzero(x: Tensor, options: NonzeroOptions & { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, options?: NonzeroOptions): Tensor | Tensor[];
export function nonzero(x: Tensor, options: NonzeroOptions = {}): Tensor | Tensor[] {
  return op('nonzero', [x], () => {
    const hits = nonzeroPositions(x.dataSync());
    const shape = x.shape;
    const n = hits.length;
    const rank = shape.length;
    if (options.asTuple === true) {
      const dims = Math.max(rank, 1);
      const cols = Array.from({ length: dims }, () => new Int32Array(n));
      for (let j = 0; j < n; j++) {
        let rest = hits[j]!;
        for (let d = rank - 1; d >= 0; d--) {
          cols[d]![j] = rest % shape[d]!;
          rest = Math.floor(rest / shape[d]!);
        }
      }
      return cols.map((c) => upload(x, c, [n], 'int32'));
    }
    const coords = new Int32Array(n * rank);
    for (let j = 0; j < n; j++) {
      let rest = hits[j]!;
      for (let d = rank - 1; d >= 0; d--) {
        coords[j * rank + d] = rest % shape[d]!;
        rest = Math.floor(rest / shape[d]!);
      }
    }
    return upload(x, coords, [n, rank], 'int32');
  });
}

/** torch.argwhere: nonzero(x) as one int32 [n, ndim] tensor. Reads x back. */
export function argwhere(x: Tensor): Tensor {
  return nonzero(x);
}

// ------------------------------------------------------------------ unique, uniqueConsecutive

export interface UniqueOptions {
  /**
   * Ascending order (the default). PyTorch's CPU kernel returns the unsorted uniques in hash-set
   * order, which is unspecified; Flint returns them sorted either way.
   */
  sorted?: boolean;
  /** Also return, per input element (or slice along dim), the index of its unique value. */
  returnInverse?: boolean;
  /** Also return how often each unique value occurs. */
  returnCounts?: boolean;
  /** Unique slices along this dim (compared lexicographically); null: unique elements of the flattened input. */
  dim?: number | null;
}

export type UniqueConsecutiveOptions = Omit<UniqueOptions, 'sorted'>;

type WithExtras = { returnInverse: true } | { returnCounts: true };

/** Host order of two values: ascending, NaN last (each NaN is its own value, never equal to another). */
function compareValues(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
}

/** The slices of `data` (shape) along `axis`, as a comparable view: slice(i)[k]. */
interface Slices {
  count: number;
  length: number;
  at(i: number, k: number): number;
}

function slicesOf(data: DataArray, shape: Shape, axis: number | null): Slices {
  if (axis === null) return { count: data.length, length: 1, at: (i) => data[i]! };
  const n = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  return {
    count: n,
    length: outer * inner,
    at: (i, k) => data[Math.floor(k / inner) * n * inner + i * inner + (k % inner)]!,
  };
}

function compareSlices(s: Slices, i: number, j: number): number {
  for (let k = 0; k < s.length; k++) {
    const c = compareValues(s.at(i, k), s.at(j, k));
    if (c !== 0) return c;
  }
  return 0;
}

function sameSlice(s: Slices, i: number, j: number): boolean {
  for (let k = 0; k < s.length; k++) if (!(s.at(i, k) === s.at(j, k))) return false;
  return true;
}

/** Groups of equal slices: the representative slice of each, every slice's group, the group sizes. */
function groupSlices(s: Slices, consecutive: boolean): { reps: number[]; inverse: Int32Array; counts: number[] } {
  const order = Array.from({ length: s.count }, (_, i) => i);
  // Array.prototype.sort is stable: equal slices keep input order, so each group's first is its first occurrence.
  if (!consecutive) order.sort((i, j) => compareSlices(s, i, j));
  const reps: number[] = [];
  const counts: number[] = [];
  const inverse = new Int32Array(s.count);
  for (let p = 0; p < order.length; p++) {
    const i = order[p]!;
    if (p === 0 || !sameSlice(s, order[p - 1]!, i)) {
      reps.push(i);
      counts.push(0);
    }
    inverse[i] = reps.length - 1;
    counts[counts.length - 1]! += 1;
  }
  return { reps, inverse, counts };
}

function uniqueImpl(name: string, x: Tensor, options: UniqueOptions, consecutive: boolean): Tensor | Tensor[] {
  return op(name, [x], () => {
    const axis = options.dim === undefined || options.dim === null ? null : normalizeDim(options.dim, x.ndim, name);
    const data = x.dataSync();
    const s = slicesOf(data, x.shape, axis);
    const { reps, inverse, counts } = groupSlices(s, consecutive);
    const u = reps.length;
    let values: Tensor;
    if (axis === null) {
      const v = arrayFor(x.dtype, u);
      for (let j = 0; j < u; j++) v[j] = data[reps[j]!]!;
      values = upload(x, v, [u], x.dtype);
    } else {
      const shape = [...x.shape];
      shape[axis] = u;
      const inner = sizeOf(x.shape.slice(axis + 1));
      const v = arrayFor(x.dtype, sizeOf(shape));
      for (let o = 0, w = 0; o < s.length / inner; o++) {
        for (let j = 0; j < u; j++) for (let k = 0; k < inner; k++, w++) v[w] = s.at(reps[j]!, o * inner + k);
      }
      values = upload(x, v, shape, x.dtype);
    }
    values = noDerivative(name, values, [x]);
    if (options.returnInverse !== true && options.returnCounts !== true) return values;
    const out = [values];
    if (options.returnInverse === true) out.push(upload(x, inverse, axis === null ? x.shape : [s.count], 'int32'));
    if (options.returnCounts === true) out.push(upload(x, Int32Array.from(counts), [u], 'int32'));
    return out;
  });
}

/**
 * torch.unique: the distinct values (ascending), or the distinct slices along `dim`; with
 * returnInverse / returnCounts an array [values, inverse?, counts?] in PyTorch's tuple order.
 * Reads x back.
 */
export function unique(x: Tensor, options?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function unique(x: Tensor, options: UniqueOptions & WithExtras): Tensor[];
export function unique(x: Tensor, options?: UniqueOptions): Tensor | Tensor[];
export function unique(x: Tensor, options: UniqueOptions = {}): Tensor | Tensor[] {
  return uniqueImpl('unique', x, options, false);
}

/** torch.unique_consecutive: collapses runs of equal values (or slices along dim). Reads x back. */
export function uniqueConsecutive(
  x: Tensor,
  options?: UniqueConsecutiveOptions & { returnInverse?: false; returnCounts?: false },
): Tensor;
export function uniqueConsecutive(x: Tensor, options: UniqueConsecutiveOptions & WithExtras): Tensor[];
export function uniqueConsecutive(x: Tensor, options?: UniqueConsecutiveOptions): Tensor | Tensor[];
export function uniqueConsecutive(x: Tensor, options: UniqueConsecutiveOptions = {}): Tensor | Tensor[] {
  return uniqueImpl('uniqueConsecutive', x, options, true);
}

// ------------------------------------------------------------------ bincount, histc

/** Sum `src` (float32, n) into `length` bins at `index` (int32, n) where `valid`; others are dropped. */
function binSums(index: Tensor, src: Tensor, valid: Tensor, length: number): Tensor {
  const safeIndex = where(valid, index, 0);
  const kept = where(valid, src, 0);
  return constant(index.backend, 0, 'float32', [length]).scatterAdd(0, safeIndex, kept);
}

export interface BincountOptions {
  /** One float weight per input element: the bins sum weights instead of counting. */
  weights?: Tensor | null;
  /** At least this many bins. */
  minlength?: number;
}

/**
 * torch.bincount(input, weights, minlength): counts (int32) or summed weights (float32) of each
 * non-negative integer in the 1-D int32 input. Without minlength the number of bins is max + 1,
 * read back from the input (as PyTorch synchronises). With minlength the bins are exactly
 * minlength and nothing is read back: values outside [0, minlength) are not counted (PyTorch
 * would add bins or raise, which needs the values).
 */
export function bincount(x: Tensor, weights?: Tensor | null | BincountOptions, minlength?: number): Tensor {
  const opts: BincountOptions =
    weights !== null && weights !== undefined && !isTensor(weights)
      ? weights
      : { weights: weights as Tensor | null | undefined, minlength };
  const w = opts.weights ?? null;
  const minLen = opts.minlength ?? 0;
  return op('bincount', w === null ? [x] : [x, w], () => {
    if (x.dtype !== 'int32') throw new Error(`"bincount_cpu" not implemented for '${torchTypeName(x.dtype)}'`);
    if (x.ndim !== 1) throw new Error('bincount only supports 1-d non-negative integral inputs.');
    if (!Number.isInteger(minLen) || minLen < 0) throw new Error('minlength should be >= 0');
    if (w !== null && (w.ndim !== 1 || w.shape[0] !== x.shape[0])) {
      throw new Error(
        `weights should be 1-d and have the same length as input (input ${formatShape(x.shape)}, weights ${formatShape(w.shape)})`,
      );
    }
    let length = minLen;
    if (minLen === 0) {
      const data = x.dataSync();
      let max = -1;
      for (let i = 0; i < data.length; i++) {
        if (data[i]! < 0) throw new Error('bincount only supports 1-d non-negative integral inputs.');
        if (data[i]! > max) max = data[i]!;
      }
      length = max + 1;
    }
    if (length === 0) return constant(x.backend, 0, w === null ? 'int32' : 'float32', [0]);
    const counted = noGrad(() => {
      const index = x;
      const valid = logicalAnd(index.ge(0), index.lt(length));
      const src = w === null ? constant(x.backend, 1, 'float32', x.shape) : castNoGrad(w, 'float32');
      const sums = binSums(index, src, valid, length);
      return w === null ? castNoGrad(sums, 'int32') : sums;
    });
    return w === null ? counted : noDerivative('bincount', counted, [w]);
  });
}

export interface HistcOptions {
  bins?: number;
  min?: number;
  max?: number;
}

/**
 * torch.histc(input, bins = 100, min = 0, max = 0): a float32 histogram of equal-width bins over
 * [min, max]; elements outside are ignored (NaN counts in the first bin, as PyTorch's CPU kernel
 * puts it there), the last bin includes max. min == max takes
 * the data's range (widened by 1 each way when the data is constant), computed on the device: no
 * readback (so an infinite data range is not reported, as PyTorch does; its bins come out empty).
 */
export function histc(x: Tensor, bins: number | HistcOptions = 100, min = 0, max = 0): Tensor {
  const o: HistcOptions = typeof bins === 'object' ? bins : { bins, min, max };
  const nBins = o.bins ?? 100;
  const lo = o.min ?? 0;
  const hi = o.max ?? 0;
  return op('histc', [x], () => {
    if (x.dtype !== 'float32') throw new Error(`"histogram_cpu" not implemented for '${torchTypeName(x.dtype)}'`);
    if (!Number.isInteger(nBins) || nBins <= 0)
      throw new Error(`torch.histogram(): bins must be > 0, but got ${nBins} for dimension 0`);
    if (lo === hi && x.numel === 0) return noDerivative('histc', constant(x.backend, 0, 'float32', [nBins]), [x]);
    if (lo !== hi) {
      if (!Number.isFinite(lo) || !Number.isFinite(hi))
        throw new Error(`torch.histc: range of [${lo}, ${hi}] is not finite`);
      if (lo > hi) throw new Error('torch.histc: max must be larger than min');
    }
    const hist = noGrad(() => {
      const flat = x.reshape([x.numel]);
      let left: Tensor | number;
      let right: Tensor | number;
      let width: Tensor | number;
      if (lo === hi) {
        // PyTorch: the data's min and max; a constant input widens to [v - 1, v + 1].
        const dmin = flat.amin();
        const dmax = flat.amax();
        const same = dmin.eq(dmax);
        left = where(same, dmin.sub(1), dmin);
        right = where(same, dmax.add(1), dmax);
        width = right.sub(left);
      } else {
        left = Math.fround(lo);
        right = Math.fround(hi);
        width = Math.fround(right - left);
      }
      // PyTorch's bin of an element: trunc((x - left) * bins / (right - left)) in float32, max -> last bin.
      // NaN passes neither bound check there and lands in the first bin (PyTorch 1.13's CPU kernel).
      const inRange = logicalAnd(flat.ge(left), flat.le(right));
      const position = flat
        .sub(left)
        .mul(nBins)
        .div(width)
        .floor()
        .clamp(0, nBins - 1);
      const index = castNoGrad(where(inRange, position, 0), 'int32');
      const counted = logicalOr(inRange, flat.ne(flat));
      return binSums(index, constant(x.backend, 1, 'float32', flat.shape), counted, nBins);
    });
    return noDerivative('histc', hist, [x]);
  });
}
