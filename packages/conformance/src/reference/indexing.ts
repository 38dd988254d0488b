/** Indexing references: torch.gather, torch.scatter_add (out of place), torch.index_select. */
import { host, ravel, sizeOfShape, unravel, type HostTensor } from './tensor.js';

export function gatherRef(x: HostTensor, axis: number, index: HostTensor): HostTensor {
  const n = sizeOfShape(index.shape);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, index.shape);
    idx[axis] = index.data[i]!;
    out[i] = x.data[ravel(idx, x.shape)]!;
  }
  return host(index.shape, x.dtype, out);
}

export function scatterAddRef(x: HostTensor, axis: number, index: HostTensor, src: HostTensor): HostTensor {
  const out = Float64Array.from(x.data);
  const scale = Float64Array.from(x.data, Math.abs);
  const n = sizeOfShape(index.shape);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, index.shape);
    const v = src.data[ravel(idx, src.shape)]!;
    idx[axis] = index.data[i]!;
    const o = ravel(idx, x.shape);
    out[o] = x.dtype === 'int32' ? (out[o]! + v) | 0 : out[o]! + v;
    scale[o]! += Math.abs(v);
  }
  return host(x.shape, x.dtype, out, x.dtype === 'float32' ? scale : undefined);
}

export function indexSelectRef(x: HostTensor, axis: number, index: HostTensor): HostTensor {
  const shape = [...x.shape];
  shape[axis] = index.shape[0]!;
  const n = sizeOfShape(shape);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    idx[axis] = index.data[idx[axis]!]!;
    out[i] = x.data[ravel(idx, x.shape)]!;
  }
  return host(shape, x.dtype, out);
}

/**
 * The scatter kernel (torch.scatter / scatter_reduce, out of place) in float64: index visited in
 * row-major order (an overwrite keeps the last duplicate), each fold starting from x's value with
 * includeSelf and from the first incoming value without it. src has index's shape.
 */
export function scatterRef(
  x: HostTensor,
  axis: number,
  index: HostTensor,
  src: HostTensor,
  reduce: 'none' | 'sum' | 'prod' | 'amax' | 'amin',
  includeSelf: boolean,
): HostTensor {
  const isInt = x.dtype === 'int32';
  const out = Float64Array.from(x.data);
  // Sums and products are compared at the scale of their terms (float32 rounding of each step).
  const scale = Float64Array.from(x.data, Math.abs);
  const started = new Uint8Array(out.length);
  const nan = (a: number, v: number) => Number.isNaN(a) || Number.isNaN(v);
  const n = sizeOfShape(index.shape);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, index.shape);
    const v = src.data[i]!;
    idx[axis] = index.data[i]!;
    const o = ravel(idx, x.shape);
    const first = reduce !== 'none' && !includeSelf && started[o] === 0;
    started[o] = 1;
    const a = out[o]!;
    if (first || reduce === 'none') {
      out[o] = v;
      scale[o] = Math.abs(v);
    } else if (reduce === 'sum') {
      out[o] = isInt ? (a + v) | 0 : a + v;
      scale[o]! += Math.abs(v);
    } else if (reduce === 'prod') {
      out[o] = isInt ? Math.imul(a, v) : a * v;
      scale[o] = scale[o]! * Math.abs(v);
    } else if (reduce === 'amax') out[o] = nan(a, v) ? Number.NaN : Math.max(a, v);
    else out[o] = nan(a, v) ? Number.NaN : Math.min(a, v);
  }
  const folds = reduce === 'sum' || reduce === 'prod';
  return host(x.shape, x.dtype, out, folds && !isInt ? scale : undefined);
}
