/**
 * Inclusive scans along one axis (the `cumulative` kernel): sum, prod, max, min. Float sums and
 * products accumulate in float64 and round each partial result to float32, as PyTorch's CPU loop
 * does (its accumulator type for float is double); int32 wraps at every step (the same residue as
 * PyTorch's int64 accumulator cast back). max/min keep a NaN once seen.
 */
import type { DataArray, ScanOp, Shape } from '@flint/core/backend';
import { allocLike, sizeOf } from './util.js';

type Step = (acc: number, v: number) => number;

const FLOAT_STEP: Record<ScanOp, Step> = {
  sum: (acc, v) => acc + v,
  prod: (acc, v) => acc * v,
  max: (acc, v) => (Number.isNaN(acc) || Number.isNaN(v) ? Number.NaN : Math.max(acc, v)),
  min: (acc, v) => (Number.isNaN(acc) || Number.isNaN(v) ? Number.NaN : Math.min(acc, v)),
};
const INT_STEP: Record<ScanOp, Step> = {
  ...FLOAT_STEP,
  sum: (acc, v) => (acc + v) | 0,
  prod: (acc, v) => Math.imul(acc, v),
};

export function cumulative(x: DataArray, shape: Shape, axis: number, op: ScanOp): DataArray {
  const total = sizeOf(shape);
  const out = allocLike(x, total);
  if (total === 0) return out;
  const n = shape[axis]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  const outer = total / (n * inner);
  const step = (x instanceof Int32Array ? INT_STEP : FLOAT_STEP)[op];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let acc = x[base]!;
      out[base] = acc;
      for (let j = 1; j < n; j++) {
        const at = base + j * inner;
        acc = step(acc, x[at]!);
        out[at] = acc;
      }
    }
  }
  return out;
}
