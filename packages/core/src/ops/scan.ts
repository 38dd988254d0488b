/**
 * Cumulative ops (cumsum, cumprod, cummax, cummin) over the `cumulative` scan kernel, with
 * PyTorch's gradients: cumsum's is a reversed cumsum; cumprod's stays finite with zeros in the
 * input (positions after the first zero get 0, the first zero the product of the others); cummax
 * and cummin scatter the gradient through their indices.
 */
import type { DType, ScanOp } from '../backend/kernels.js';
import { record } from '../autograd/engine.js';
import { noGrad } from '../autograd/grad-mode.js';
import { tidy } from '../tensor/scope.js';
import type { MaxMinResult, Tensor } from '../tensor/tensor.js';
import { castNoGrad, constant, output } from './util.js';
import { normalizeDim, reshape } from './layout.js';
import { where } from './elementwise.js';
import { scatterAdd } from './indexing.js';
import { flip } from './shape.js';

/** What cumsum/cumprod accept: PyTorch's `dtype=` keyword (the input is cast first). */
export interface CumulativeOptions {
  dtype?: 'float32' | 'int32' | 'float64' | 'int64';
}

/** The kernel's inclusive scan along `axis` (no autograd); a rank-0 x scans as [1]. */
export function cumulativeRaw(x: Tensor, axis: number, op: ScanOp): Tensor {
  if (x.ndim === 0) return tidy(() => reshape(cumulativeRaw(reshape(x, [1]), 0, op), []));
  return output(x.backend, x.backend.kernels.cumulative(x.ref, axis, op), x.shape, x.dtype);
}

/** int32 0..n-1 laid along `axis` of a tensor of x's rank (size 1 elsewhere), to broadcast. */
export function positionsAlong(x: Tensor, axis: number, n: number): Tensor {
  const line = output(
    x.backend,
    x.backend.kernels.write(
      Int32Array.from({ length: n }, (_, i) => i),
      [n],
      'int32',
    ),
    [n],
    'int32',
  );
  const laid = reshape(
    line,
    x.shape.map((_, d) => (d === axis ? n : 1)),
  );
  if (laid !== line) line.dispose();
  return laid;
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
  return dtype === x.dtype ? x : noGrad(() => castNoGrad(x, dtype));
}

/** sum_{j >= i} g_j along the axis, recorded (a createGraph backward differentiates it again). */
function reversedCumsum(g: Tensor, axis: number): Tensor {
  return tidy(() => flip(cumsum(flip(g, axis), axis), axis));
}

/** torch.cumsum: running sums along dim. */
export function cumsum(x: Tensor, dim: number, options?: CumulativeOptions): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'cumsum');
  const input = scanInput(x, options);
  const out = cumulativeRaw(input, axis, 'sum');
  if (input !== x) input.dispose();
  if (out.dtype !== 'float32' || x.dtype !== 'float32') return out;
  return record('cumsum', out, [x], [], () => (g) => [reversedCumsum(g, axis)]);
}

/** torch.cumprod: running products along dim. */
export function cumprod(x: Tensor, dim: number, options?: CumulativeOptions): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'cumprod');
  const input = scanInput(x, options);
  const out = cumulativeRaw(input, axis, 'prod');
  if (input !== x) input.dispose();
  if (out.dtype !== 'float32' || x.dtype !== 'float32') return out;
  return record('cumprod', out, [x], [x, out], ([sx, so]) => (g) => {
    const xv = sx!.get();
    const zero = xv.eq(0);
    const zerosSoFar = cumulativeRaw(castNoGrad(zero, 'int32'), axis, 'sum');
    const firstZero = zero.logicalAnd(zerosSoFar.eq(1));
    // Before the first zero: sum_{i >= k} g_i out_i / x_k (the later outputs are 0 there anyway).
    const beforeZero = reversedCumsum(g.mul(so!.get()), axis).div(where(zero, 1, xv));
    // At the first zero z: sum_{i >= z} g_i prod_{j <= i, j != z} x_j, the scan with x_z taken as 1.
    const atZero = reversedCumsum(g.mul(cumprod(where(firstZero, 1, xv), axis)), axis);
    // After it every product contains x_z = 0.
    return [where(zerosSoFar.eq(0), beforeZero, where(firstZero, atZero, 0))];
  });
}

/**
 * cummax/cummin: the running extreme and the index where it was last attained (PyTorch's index
 * on ties is the latest occurrence; from a NaN on, the latest NaN). The index is a running max
 * of the positions where x equals the running extreme (or is NaN).
 */
function cumulativeExtreme(kind: 'max' | 'min', x: Tensor, dim: number): MaxMinResult {
  const op = kind === 'max' ? 'cummax' : 'cummin';
  const axis = normalizeDim(dim, x.ndim, op);
  const { values, indices } = noGrad(() =>
    tidy(() => {
      const line = x.ndim === 0 ? reshape(x, [1]) : x;
      const input = line.dtype === 'bool' ? castNoGrad(line, 'int32') : line;
      const running = cumulativeRaw(input, axis, kind);
      let hit = input.eq(running);
      if (input.dtype === 'float32') hit = hit.logicalOr(input.ne(input));
      const positions = positionsAlong(line, axis, line.shape[axis]!).expand(line.shape);
      const last = cumulativeRaw(where(hit, positions, -1), axis, 'max');
      return { values: reshape(castNoGrad(running, x.dtype), x.shape), indices: reshape(last, x.shape) };
    }),
  );
  if (x.dtype !== 'float32') return { values, indices };
  const shape = x.shape;
  const result = record(op, values, [x], [indices], ([si]) => (g) => {
    if (shape.length === 0) return [g];
    return [scatterAdd(constant(g.backend, 0, g.dtype, shape), axis, si!.get(), g)];
  });
  return { values: result, indices };
}

/** torch.cummax: { values, indices } of the running maximum along dim. */
export const cummax = (x: Tensor, dim: number): MaxMinResult => cumulativeExtreme('max', x, dim);
/** torch.cummin: { values, indices } of the running minimum along dim. */
export const cummin = (x: Tensor, dim: number): MaxMinResult => cumulativeExtreme('min', x, dim);
