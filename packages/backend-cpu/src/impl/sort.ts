/**
 * Stable sort along one axis (the `sort` kernel): values and int32 positions. Each line along the
 * axis is sorted through an index permutation with a comparator that orders NaN above everything
 * and breaks ties by position, so the result is stable in both directions whatever the engine's
 * Array.prototype.sort does.
 */
import type { DataArray, Shape } from '@flint/core/backend';
import { allocLike, sizeOf } from './util.js';

/** a before b ascending: NaN is the largest value, -0 equals 0. */
function ascending(a: number, b: number): number {
  const aNaN = Number.isNaN(a);
  const bNaN = Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sort(
  x: DataArray,
  shape: Shape,
  axis: number,
  descending: boolean,
): { values: DataArray; indices: Int32Array } {
  const total = sizeOf(shape);
  const values = allocLike(x, total);
  const indices = new Int32Array(total);
  const n = shape[axis]!;
  if (total === 0) return { values, indices };
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  const outer = total / (n * inner);
  const line = new Float64Array(n);
  const order = new Array<number>(n);
  const sign = descending ? -1 : 1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let j = 0; j < n; j++) {
        line[j] = x[base + j * inner]!;
        order[j] = j;
      }
      order.sort((p, q) => sign * ascending(line[p]!, line[q]!) || p - q);
      for (let j = 0; j < n; j++) {
        const from = order[j]!;
        values[base + j * inner] = line[from]!;
        indices[base + j * inner] = from;
      }
    }
  }
  return { values, indices };
}
