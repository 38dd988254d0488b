/**
 * Stable sort along one axis without scatter: pass 1 counts, for every element, the elements of
 * its line that sort before it (smaller, NaN largest, or equal and earlier) — its rank, summed over
 * chunks for long lines; pass 2 has each output position find the element whose rank it is (the
 * sum of k + 1 over matching k, minus one); values are then gathered. O(N^2) compares per line, in
 * a fixed number of passes; the direction is a uniform, so both share one compiled kernel.
 */
import type { SortResult } from '@flint/core/backend';
import { sizeOf } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { lineConstants, lineOf } from '../lines.js';
import type { GpuStorage } from '../storage.js';
import { divmod, FLOAT_EXACT } from '../wide.js';
import { gather } from './gather.js';
import { sum } from './sum.js';

const rankSource = `function(x, desc) {
${divmod('this.thread.x', 'this.constants.P', 'e', 'p')}
${lineOf('e')}
const ve = x[base + j * this.constants.I];
let count = 0;
for (let kl = 0; kl < this.constants.CH; kl++) {
  const k = p * this.constants.CH + kl;
  if (k < this.constants.N) {
    const vk = x[base + k * this.constants.I];
    let first = 0;
    if (desc > 0.5) {
      if (ve == ve && (vk != vk || vk > ve)) { first = 1; }
    } else {
      if (vk == vk && (ve != ve || vk < ve)) { first = 1; }
    }
    if (first == 0 && k < j) {
      if (vk == ve || (vk != vk && ve != ve)) { first = 1; }
    }
    count = count + first;
  }
}
return count;
}`;

const placeSource = `function(rank) {
${divmod('this.thread.x', 'this.constants.P', 'e', 'p')}
${lineOf('e')}
let acc = 0;
if (p == 0) { acc = -1; }
for (let kl = 0; kl < this.constants.CH; kl++) {
  const k = p * this.constants.CH + kl;
  if (k < this.constants.N) {
    if (rank[base + k * this.constants.I] == j) { acc = acc + k + 1; }
  }
}
return acc;
}`;

/** Sums the [total, P] chunk partials of a pass (P = 1: the partials are the result). */
function combineChunks(ctx: GpuContext, partial: GpuStorage, total: number, parts: number): GpuStorage {
  if (parts === 1) return partial;
  const out = sum(ctx)({ storage: partial, shape: [total, parts], dtype: 'int32' }, [1]);
  ctx.dispose(partial);
  return out;
}

export const sort =
  (ctx: GpuContext) =>
  (x: Ref, axis: number, descending: boolean): SortResult<GpuStorage> => {
    const total = sizeOf(x.shape);
    if (total === 0) return { values: ctx.empty(x.dtype), indices: ctx.empty('int32') };
    // No wide (two-limb) variant: flat offsets (and the rank pass's [total, P]) are float32, exact below 2^24.
    if (total * Math.ceil(x.shape[axis]! / 4096) > FLOAT_EXACT) {
      throw new Error(
        `@flint/backend-gpujs: sort of ${total} elements: positions are computed in float32, exact only up to 2^24 = ${FLOAT_EXACT}.`,
      );
    }
    const c = lineConstants(x.shape, axis);
    const n = total * c.P;
    const ranks = combineChunks(
      ctx,
      ctx.run('sort/rank', rankSource, c, n, [x.storage, descending ? 1 : 0], 'int32'),
      total,
      c.P,
    );
    const indices = combineChunks(ctx, ctx.run('sort/place', placeSource, c, n, [ranks], 'int32'), total, c.P);
    ctx.dispose(ranks);
    const values = gather(ctx)(x, axis, { storage: indices, shape: x.shape, dtype: 'int32' });
    return { values, indices };
  };
