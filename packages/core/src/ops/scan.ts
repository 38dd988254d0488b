/**
 * Cumulative ops (cumsum, cumprod, cummax, cummin) over the `cumulative` scan kernel, with
 * PyTorch's gradients: cumsum's is a reversed cumsum; cumprod's stays finite with zeros in the
 * input (positions after the first zero get 0, the first zero the product of the others); cummax
 * and cummin scatter the gradient through their indices.
 */
import type { DType, ScanOp } from '../backend/kernels.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { MaxMinResult, Tensor } from '../tensor/tensor.js';
import { valuesIndices } from './named-tuple.js';
import { castNoGrad, constant, output } from './util.js';
import { normalizeDim, reshape } from './layout.js';
import { where } from './elementwise.js';
import { scatterAdd } from './indexing.js';
import { flip } from './shape.js';
import { op, recordGrad } from './op.js';

/** What cumsum/cumprod accept: PyTorch's `dtype=` keyword (the input is cast first). */
export interface CumulativeOptions {
  dtype?: 'float32' | 'int32' | 'float64' | 'int64';
}

/** The kernel's inclusive scan along `axis` (no autograd); a rank-0 x scans as [1]. */
export function cumulativeRaw(x: Tensor, axis: number, scanOp: ScanOp): Tensor {
  if (x.ndim === 0) return op('cumulative', () => reshape(cumulativeRaw(reshape(x, [1]), 0, scanOp), []));
  return output(x.backend, x.backend.kernels.cumulative(x.ref, axis, scanOp), x.shape, x.dtype);
}

/** int32 0..n-1 laid along `axis` of a tensor of x's rank (size 1 elsewhere), to broadcast. */
export function positionsAlong(x: Tensor, axis: number, n: number): Tensor {
  return op('arange', () => {
    const positions = Int32Array.from({ length: n }, (_, i) => i);
    const line = output(x.backend, x.backend.kernels.write(positions, [n], 'int32'), [n], 'int32');
    return reshape(
      line,
      x.shape.map((_, d) => (d === axis ? n : 1)),
    );
  });
}

/** cumsum/cumprod's result dtype: bool and int32 accumulate as int32 (PyTorch: int64). */
function scanInput(x: Tensor, options: CumulativeOptions | undefined): Tensor {
  const requested = options?.dtype;
  const dtype: DType =
    requested === undefined
      ? x.dtype === 'bool'
        ? 'int32'
        : x.dtype
      : requested === 'float32' || requested === 'float64'
        ? 'float32'
        : 'int32';
  return dtype === x.dtype ? x : castNoGrad(x, dtype);
}

/** sum_{j >= i} g_j along the axis, recorded (a createGraph backward differentiates it again). */
function reversedCumsum(g: Tensor, axis: number): Tensor {
  return flip(cumsum(flip(g, axis), axis), axis);
}

/** torch.cumsum: running sums along dim. */
export function cumsum(x: Tensor, dim: number, options?: CumulativeOptions): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'cumsum');
  if (x.ndim === 0) return op('cumsum', () => reshape(cumsum(reshape(x, [1]), 0, options), []));
  return op('cumsum', () => {
    const out = cumulativeRaw(scanInput(x, options), axis, 'sum');
    if (out.dtype !== 'float32' || x.dtype !== 'float32') return out;
    return recordGrad(out, [x], [], (g) => [reversedCumsum(g, axis)]);
  });
}

/** torch.cumprod: running products along dim. */
export function cumprod(x: Tensor, dim: number, options?: CumulativeOptions): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'cumprod');
  // A 0-d tensor scans as [1], so the backward's reductions along the axis have an axis.
  if (x.ndim === 0) return op('cumprod', () => reshape(cumprod(reshape(x, [1]), 0, options), []));
  return op('cumprod', () => {
    const out = cumulativeRaw(scanInput(x, options), axis, 'prod');
    if (out.dtype !== 'float32' || x.dtype !== 'float32') return out;
    return recordGrad(out, [x], [x, out], (g, [xv, outv]) => cumprodGrad(g, xv!, outv!, axis));
  });
}

/**
 * cumprod's gradient, finite with zeros in x, and differentiable again as PyTorch's is. With z the
 * first zero of a line: before z, sum_{i >= k} g_i out_i / x_k; at z, the same sum with x_z taken as
 * 1; after z, x_z times the gradient of the scan with x_z taken as 1 (0, but its derivative in x_z
 * is that gradient: a createGraph backward needs it). The nested call only supplies those values.
 */
function cumprodGrad(g: Tensor, xv: Tensor, out: Tensor, axis: number, nested = false): Tensor[] {
  const zero = xv.eq(0);
  const zerosSoFar = cumulativeRaw(castNoGrad(zero, 'int32'), axis, 'sum');
  const firstZero = zero.logicalAnd(zerosSoFar.eq(1));
  const withoutZero = where(firstZero, 1, xv);
  const beforeZero = reversedCumsum(g.mul(out), axis).div(where(zero, 1, xv));
  const scanWithoutZero = cumprod(withoutZero, axis);
  const atZero = reversedCumsum(g.mul(scanWithoutZero), axis);
  let afterZero: Tensor | number = 0;
  if (!nested) {
    const zeroValue = where(firstZero, xv, 0).sum(axis, true);
    afterZero = zeroValue.mul(cumprodGrad(g, withoutZero, scanWithoutZero, axis, true)[0]!);
  }
  return [where(zerosSoFar.eq(0), beforeZero, where(firstZero, atZero, afterZero))];
}

/**
 * cummax/cummin: the running extreme and the index where it was last attained (PyTorch's index
 * on ties is the latest occurrence; from a NaN on, the latest NaN). The index is a running max
 * of the positions where x equals the running extreme (or is NaN).
 */
function cumulativeExtreme(kind: 'max' | 'min', x: Tensor, dim: number): MaxMinResult {
  const name = kind === 'max' ? 'cummax' : 'cummin';
  const axis = normalizeDim(dim, x.ndim, name);
  return op(name, () => {
    const { values, indices } = noGrad(() => {
      const line = x.ndim === 0 ? reshape(x, [1]) : x;
      const input = line.dtype === 'bool' ? castNoGrad(line, 'int32') : line;
      const running = cumulativeRaw(input, axis, kind);
      let hit = input.eq(running);
      if (input.dtype === 'float32') hit = hit.logicalOr(input.ne(input));
      const positions = positionsAlong(line, axis, line.shape[axis]!).expand(line.shape);
      const last = cumulativeRaw(where(hit, positions, -1), axis, 'max');
      return { values: reshape(castNoGrad(running, x.dtype), x.shape), indices: reshape(last, x.shape) };
    });
    if (x.dtype !== 'float32') return valuesIndices(values, indices);
    const shape = x.shape;
    const result = recordGrad(values, [x], [indices], (g, [si]) => [
      shape.length === 0 ? g : scatterAdd(constant(g.backend, 0, g.dtype, shape), axis, si!, g),
    ]);
    return valuesIndices(result, indices);
  });
}

/** torch.cummax: { values, indices } of the running maximum along dim. */
export const cummax = (x: Tensor, dim: number): MaxMinResult => cumulativeExtreme('max', x, dim);
/** torch.cummin: { values, indices } of the running minimum along dim. */
export const cummin = (x: Tensor, dim: number): MaxMinResult => cumulativeExtreme('min', x, dim);
