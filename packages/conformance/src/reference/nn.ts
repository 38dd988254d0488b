/** Softmax / log-softmax along one axis (max-subtracted, in float64). */
import { host, ravel, sizeOfShape, unravel, type HostTensor } from './tensor.js';

function alongAxis(x: HostTensor, axis: number, f: (row: number[]) => number[]): HostTensor {
  const out = new Float64Array(x.data.length);
  const len = x.shape[axis]!;
  const outer = x.shape.map((d, i) => (i === axis ? 1 : d));
  const n = sizeOfShape(outer);
  for (let o = 0; o < n; o++) {
    const base = unravel(o, outer);
    const flat = (j: number) => {
      base[axis] = j;
      return ravel(base, x.shape);
    };
    const row = Array.from({ length: len }, (_, j) => x.data[flat(j)]!);
    const res = f(row);
    for (let j = 0; j < len; j++) out[flat(j)] = res[j]!;
  }
  return host(x.shape, x.dtype, out);
}

export function logSoftmaxRef(x: HostTensor, axis: number): HostTensor {
  return alongAxis(x, axis, (row) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    return row.map((v) => v - lse);
  });
}

export function softmaxRef(x: HostTensor, axis: number): HostTensor {
  return alongAxis(x, axis, (row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
}
