/**
 * Pure scatter kernel (torch.scatter / scatter_reduce, out of place): src has index's shape and
 * every index element sends its src value to x[..index[..i..] at axis..], visited in index's
 * row-major order, so an overwrite leaves the last duplicate (as PyTorch's CPU kernel does).
 */
import type { DataArray, ScatterReduction, Shape } from '@flint/core/backend';
import { forEachIndexed } from './indexing.js';

type Fold = (acc: number, v: number) => number;

const maxNaN: Fold = (a, v) => (Number.isNaN(a) || Number.isNaN(v) ? Number.NaN : Math.max(a, v));
const minNaN: Fold = (a, v) => (Number.isNaN(a) || Number.isNaN(v) ? Number.NaN : Math.min(a, v));

function foldFor(reduce: ScatterReduction, isInt: boolean): Fold {
  switch (reduce) {
    case 'none':
      return (_acc, v) => v;
    case 'sum':
      return isInt ? (a, v) => (a + v) | 0 : (a, v) => a + v;
    case 'prod':
      return isInt ? (a, v) => Math.imul(a, v) : (a, v) => a * v;
    case 'amax':
      return maxNaN;
    case 'amin':
      return minNaN;
  }
}

export function scatter(
  x: DataArray,
  xShape: Shape,
  axis: number,
  index: Int32Array,
  indexShape: Shape,
  src: DataArray,
  reduce: ScatterReduction,
  includeSelf: boolean,
): DataArray {
  const isFloat = x instanceof Float32Array;
  // Float sums and products fold in float64 and round once (as scatterAdd does): many duplicates
  // then agree with a float64 reference instead of drifting with float32 rounding.
  const out = isFloat ? new Float64Array(x) : x.slice();
  const fold = foldFor(reduce, x instanceof Int32Array);
  // Without includeSelf an element's first incoming value replaces x's (then the fold continues).
  const started = includeSelf || reduce === 'none' ? null : new Uint8Array(out.length);
  forEachIndexed(index, indexShape, xShape, axis, (k, xo) => {
    const v = src[k]!;
    if (started !== null && started[xo] === 0) {
      started[xo] = 1;
      out[xo] = v;
    } else out[xo] = fold(out[xo]!, v);
  });
  return isFloat ? new Float32Array(out) : (out as DataArray);
}
