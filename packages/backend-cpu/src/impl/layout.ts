/** Pure layout kernels: permute, slice, pad, concat, expand, cast, oneHot. */
import type { DataArray, DType, Shape } from '@flint/core/backend';
import {
  alloc,
  broadcastStrides,
  coerce,
  dtypeOf,
  forEachRun,
  sizeOf,
  stridedCopy,
  stridesOf,
  take,
  takeF32,
  takeLike,
} from './util.js';

/** out.shape[i] = shape[perm[i]]. */
export function permute(x: DataArray, shape: Shape, perm: readonly number[]): DataArray {
  const outShape = perm.map((p) => shape[p]!);
  const xs = stridesOf(shape);
  // every element is written: no zeroing
  const out = takeLike(x, x.length);
  if (out.length === 0) return out;
  const collapsed = perm.map((p) => xs[p]!);
  // A 2-D transpose once size-1 dims are dropped (the common case): cache-blocked.
  const dims: number[] = [];
  const src: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    if (outShape[i] === 1) continue;
    dims.push(outShape[i]!);
    src.push(collapsed[i]!);
  }
  if (dims.length === 2 && src[1] !== 1 && src[0] === 1) {
    transpose2d(x, dims[1]!, dims[0]!, out);
    return out;
  }
  stridedCopy(x, 0, collapsed, outShape, out);
  return out;
}

/** out[j*rows + i] = x[i*cols + j] for x [rows, cols], in 32x32 tiles. */
function transpose2d(x: DataArray, rows: number, cols: number, out: DataArray): void {
  const T = 32;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(rows, i0 + T);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(cols, j0 + T);
      for (let i = i0; i < i1; i++) {
        const xr = i * cols;
        for (let j = j0; j < j1; j++) out[j * rows + i] = x[xr + j]!;
      }
    }
  }
}

/** out[i0, i1, ...] = x[begin0 + i0*step0, ...]. */
export function slice(
  x: DataArray,
  shape: Shape,
  begin: readonly number[],
  step: readonly number[],
  outShape: Shape,
): DataArray {
  const xs = stridesOf(shape);
  const out = takeLike(x, sizeOf(outShape));
  if (out.length === 0) return out;
  let offset = 0;
  for (let d = 0; d < shape.length; d++) offset += begin[d]! * xs[d]!;
  stridedCopy(
    x,
    offset,
    xs.map((s, d) => s * step[d]!),
    outShape,
    out,
  );
  return out;
}

/** Constant padding; pads[d] = [before, after]. */
export function pad(
  x: DataArray,
  shape: Shape,
  pads: readonly (readonly [number, number])[],
  value: number,
): DataArray {
  const outShape = shape.map((n, d) => n + pads[d]![0] + pads[d]![1]);
  const out = takeLike(x, sizeOf(outShape)).fill(coerce(value, dtypeOf(x)));
  if (x.length === 0) return out;
  const os = stridesOf(outShape);
  let offset = 0;
  for (let d = 0; d < shape.length; d++) offset += pads[d]![0] * os[d]!;
  forEachRun(shape, [stridesOf(shape), os], (offs, n, inner) => {
    const xi = offs[0]!;
    let oi = offs[1]! + offset;
    if (inner[0] === 1 && inner[1] === 1) out.set(x.subarray(xi, xi + n), oi);
    else for (let i = 0, p = xi; i < n; i++, p += inner[0]!, oi += inner[1]!) out[oi] = x[p]!;
  });
  return out;
}

/** Concatenate along `axis`; inputs share rank and dtype and match elsewhere. */
export function concat(
  xs: readonly { data: DataArray; shape: Shape }[],
  axis: number,
  outShape: Shape,
  dtype: DType,
): DataArray {
  const out = take(dtype, sizeOf(outShape));
  if (out.length === 0) return out;
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= outShape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < outShape.length; d++) inner *= outShape[d]!;
  const outRow = outShape[axis]! * inner;
  let at = 0;
  for (const { data, shape } of xs) {
    const chunk = shape[axis]! * inner;
    if (chunk === 0) continue;
    for (let o = 0; o < outer; o++) out.set(data.subarray(o * chunk, (o + 1) * chunk), o * outRow + at);
    at += chunk;
  }
  return out;
}

/** Broadcast x (right-aligned, size-1 dims stretched) to outShape. */
export function expand(x: DataArray, shape: Shape, outShape: Shape): DataArray {
  const out = takeLike(x, sizeOf(outShape));
  if (out.length === 0) return out;
  if (x.length === 1) {
    out.fill(x[0]!);
    return out;
  }
  stridedCopy(x, 0, broadcastStrides(shape, outShape), outShape, out);
  return out;
}

/** float -> int32 truncates toward zero; anything -> bool is x != 0 (NaN is true). */
export function cast(x: DataArray, dtype: DType): DataArray {
  switch (dtype) {
    case 'float32': {
      const out = takeF32(x.length);
      out.set(x);
      return out;
    }
    case 'int32': {
      const out = take('int32', x.length);
      if (x instanceof Float32Array) for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]!);
      else out.set(x);
      return out;
    }
    case 'bool': {
      const out = take('bool', x.length);
      for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0;
      return out;
    }
  }
}

/** int32 indices [...] -> [..., numClasses]. */
export function oneHot(indices: Int32Array, numClasses: number, dtype: DType): DataArray {
  const out = alloc(dtype, indices.length * numClasses);
  for (let i = 0; i < indices.length; i++) out[i * numClasses + indices[i]!] = 1;
  return out;
}
