/** Pure indexing kernels: gather, scatterAdd, indexSelect (indices int32, in range). */
import type { DataArray, Shape } from '@flint/core/backend';
import { allocLike, forEachRun, sizeOf, stridesOf } from './util.js';

/**
 * Walk `index` (shape `indexShape`) in order; for each position call visit(k, xOffset) where k is
 * the flat position in index and xOffset the offset in a tensor of `xShape` with the coordinate
 * along `axis` replaced by index[k] (the other coordinates taken from the position).
 */
export function forEachIndexed(
  index: Int32Array,
  indexShape: Shape,
  xShape: Shape,
  axis: number,
  visit: (k: number, xOffset: number) => void,
): void {
  const xs = stridesOf(xShape);
  const axisStride = xs[axis]!;
  const baseStrides = xs.map((s, d) => (d === axis ? 0 : s));
  forEachRun(indexShape, [stridesOf(indexShape), baseStrides], (offs, n, inner) => {
    let k = offs[0]!;
    let base = offs[1]!;
    const ks = inner[0]!;
    const bs = inner[1]!;
    for (let i = 0; i < n; i++, k += ks, base += bs) visit(k, base + index[k]! * axisStride);
  });
}

/** torch.gather: out.shape = index.shape. */
export function gather(x: DataArray, xShape: Shape, axis: number, index: Int32Array, indexShape: Shape): DataArray {
  const out = allocLike(x, sizeOf(indexShape));
  forEachIndexed(index, indexShape, xShape, axis, (k, xo) => {
    out[k] = x[xo]!;
  });
  return out;
}

/**
 * torch.scatter_add out of place: copy of x with src[..i..] added at index positions along axis.
 * Float sums run in a float64 copy of x, rounded once: an index repeated 1e6 times sums like a
 * reduction (in float32, 1e6 copies of 0.3 come out 1.5e-3 off).
 */
export function scatterAdd(
  x: DataArray,
  xShape: Shape,
  axis: number,
  index: Int32Array,
  indexShape: Shape,
  src: DataArray,
  srcShape: Shape,
): DataArray {
  const isInt = x instanceof Int32Array;
  const isFloat = x instanceof Float32Array;
  const out = isFloat ? new Float64Array(x) : x.slice();
  const ss = stridesOf(srcShape);
  const is = stridesOf(indexShape);
  const contiguousSrc = indexShape.every((n, d) => n === srcShape[d]);
  forEachIndexed(index, indexShape, xShape, axis, (k, xo) => {
    let so = k;
    if (!contiguousSrc) {
      so = 0;
      let rem = k;
      for (let d = 0; d < is.length; d++) {
        const c = Math.floor(rem / is[d]!);
        rem -= c * is[d]!;
        so += c * ss[d]!;
      }
    }
    out[xo] = isInt ? (out[xo]! + src[so]!) | 0 : out[xo]! + src[so]!;
  });
  return isFloat ? new Float32Array(out) : (out as DataArray);
}

/** torch.index_select with a 1-D index. */
export function indexSelect(x: DataArray, xShape: Shape, axis: number, index: Int32Array): DataArray {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= xShape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < xShape.length; d++) inner *= xShape[d]!;
  const n = xShape[axis]!;
  const m = index.length;
  const out = allocLike(x, outer * m * inner);
  if (out.length === 0) return out;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < m; i++) {
      const src = (o * n + index[i]!) * inner;
      const dst = (o * m + i) * inner;
      if (inner === 1) out[dst] = x[src]!;
      else out.set(x.subarray(src, src + inner), dst);
    }
  }
  return out;
}
