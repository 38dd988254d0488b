/** Sorting and scan references: a stable sort (NaN largest) and inclusive scans, in float64. */
import type { ScanOp } from '@flint/core/backend';
import { host, sizeOfShape, type HostTensor } from './tensor.js';

/** The lines along `axis`: for each, the flat offsets of its elements in order. */
function lines(shape: readonly number[], axis: number): number[][] {
  const n = shape[axis]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  const total = sizeOfShape(shape);
  const out: number[][] = [];
  if (total === 0) return out;
  const outer = total / (n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      out.push(Array.from({ length: n }, (_, j) => o * n * inner + i + j * inner));
    }
  }
  return out;
}

/** NaN is the largest value; ties keep input order (a stable sort). */
export function sortRef(x: HostTensor, axis: number, descending: boolean): [HostTensor, HostTensor] {
  const total = sizeOfShape(x.shape);
  const values = new Float64Array(total);
  const indices = new Float64Array(total);
  for (const offs of lines(x.shape, axis)) {
    const order = offs.map((_, j) => j);
    order.sort((p, q) => {
      const a = x.data[offs[p]!]!;
      const b = x.data[offs[q]!]!;
      const an = Number.isNaN(a);
      const bn = Number.isNaN(b);
      let c: number;
      if (an || bn) c = an === bn ? 0 : an ? 1 : -1;
      else c = a < b ? -1 : a > b ? 1 : 0;
      return (descending ? -c : c) || p - q;
    });
    order.forEach((from, j) => {
      values[offs[j]!] = x.data[offs[from]!]!;
      indices[offs[j]!] = from;
    });
  }
  return [host(x.shape, x.dtype, values), host(x.shape, 'int32', indices)];
}

/** Inclusive scan in float64 (int32 wraps per step); sum/prod carry the magnitude of their terms as scale. */
export function cumulativeRef(x: HostTensor, axis: number, op: ScanOp): HostTensor {
  const total = sizeOfShape(x.shape);
  const out = new Float64Array(total);
  const scale = new Float64Array(total);
  const int = x.dtype === 'int32';
  for (const offs of lines(x.shape, axis)) {
    let acc = 0;
    let mag = 0;
    offs.forEach((at, j) => {
      const v = x.data[at]!;
      if (j === 0) {
        acc = v;
        mag = Math.abs(v);
      } else if (op === 'sum') {
        acc = int ? (acc + v) | 0 : acc + v;
        mag += Math.abs(v);
      } else if (op === 'prod') {
        acc = int ? Math.imul(acc, v) : acc * v;
        mag *= Math.abs(v);
      } else if (Number.isNaN(acc) || Number.isNaN(v)) {
        acc = Number.NaN;
      } else {
        acc = op === 'max' ? Math.max(acc, v) : Math.min(acc, v);
      }
      out[at] = acc;
      scale[at] = mag;
    });
  }
  return host(x.shape, x.dtype, out, op === 'sum' || op === 'prod' ? scale : undefined);
}
