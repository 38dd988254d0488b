/** Reductions over a set of axes (removed from the shape), and arg-reductions over one axis. */
import { host, ravel, sizeOfShape, unravel, type HostTensor } from './tensor.js';

type ReduceName = 'sum' | 'max' | 'min' | 'prod';

export function reduceRef(name: ReduceName, x: HostTensor, axes: readonly number[]): HostTensor {
  const keep = x.shape.map((_, i) => !axes.includes(i));
  const outShape = x.shape.filter((_, i) => keep[i]);
  const n = sizeOfShape(outShape);
  const init = name === 'sum' ? 0 : name === 'prod' ? 1 : name === 'max' ? -Infinity : Infinity;
  const out = new Float64Array(n).fill(init);
  const scale = new Float64Array(n);
  const isInt = x.dtype === 'int32';
  const total = sizeOfShape(x.shape);
  for (let i = 0; i < total; i++) {
    const idx = unravel(i, x.shape);
    const o = ravel(
      idx.filter((_, k) => keep[k]),
      outShape,
    );
    const v = x.data[i]!;
    const cur = out[o]!;
    switch (name) {
      case 'sum':
        out[o] = isInt ? (cur + v) | 0 : cur + v;
        scale[o]! += Math.abs(v);
        break;
      case 'prod':
        out[o] = isInt ? Math.imul(cur, v) : cur * v;
        break;
      case 'max':
        out[o] = Number.isNaN(cur) || Number.isNaN(v) ? NaN : Math.max(cur, v);
        break;
      case 'min':
        out[o] = Number.isNaN(cur) || Number.isNaN(v) ? NaN : Math.min(cur, v);
        break;
    }
  }
  return host(outShape, x.dtype, out, name === 'sum' && !isInt ? scale : undefined);
}

/** Index of the first max (argmax) or min (argmin) along `axis`; int32; axis removed. */
export function argReduceRef(name: 'argmax' | 'argmin', x: HostTensor, axis: number): HostTensor {
  const outShape = x.shape.filter((_, i) => i !== axis);
  const n = sizeOfShape(outShape);
  const len = x.shape[axis]!;
  const out = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    const oi = unravel(o, outShape);
    let best = 0;
    let bestV = NaN;
    for (let j = 0; j < len; j++) {
      const idx = [...oi.slice(0, axis), j, ...oi.slice(axis)];
      const v = x.data[ravel(idx, x.shape)]!;
      // PyTorch: the first NaN wins (argmax and argmin alike); else the first of equal extremes.
      const better = Number.isNaN(v) || (name === 'argmax' ? v > bestV : v < bestV);
      if (j === 0 || (!Number.isNaN(bestV) && better)) {
        best = j;
        bestV = v;
      }
    }
    out[o] = best;
  }
  return host(outShape, 'int32', out);
}
