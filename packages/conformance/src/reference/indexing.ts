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
