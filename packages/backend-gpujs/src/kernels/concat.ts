/**
 * concat along an axis. gpu.js kernels take a fixed argument list, so inputs are joined pairwise
 * (left fold) with a two-input kernel viewing each tensor as [outer, axisLen, inner]; the
 * intermediates are freed at once. k inputs cost k - 1 passes.
 */
import { sizeOf, type Shape } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import type { GpuStorage } from '../storage.js';

const source = `function(a, b) {
const i = this.thread.x;
const o = Math.floor((i + 0.5) / (this.constants.L * this.constants.I));
const r = i - o * (this.constants.L * this.constants.I);
const l = Math.floor((r + 0.5) / this.constants.I);
const j = r - l * this.constants.I;
if (l < this.constants.A) { return a[(o * this.constants.A + l) * this.constants.I + j]; }
return b[(o * this.constants.B + (l - this.constants.A)) * this.constants.I + j];
}`;

export const concat =
  (ctx: GpuContext) =>
  (xs: readonly Ref[], axis: number, outShape: Shape): GpuStorage => {
    const outer = sizeOf(outShape.slice(0, axis));
    const inner = sizeOf(outShape.slice(axis + 1));
    const parts = xs.filter((x) => sizeOf(x.shape) > 0);
    const dtype = xs[0]!.dtype;
    if (sizeOf(outShape) === 0 || parts.length === 0) return ctx.empty(dtype);
    if (parts.length === 1) return ctx.run('copy', COPY_SOURCE, {}, sizeOf(outShape), [parts[0]!.storage], dtype);
    let acc: GpuStorage = parts[0]!.storage;
    let accLen = parts[0]!.shape[axis]!;
    for (let p = 1; p < parts.length; p++) {
      const b = parts[p]!;
      const bLen = b.shape[axis]!;
      const L = accLen + bLen;
      const c = { A: accLen, B: bLen, L, I: inner };
      const next = ctx.run('concat', source, c, outer * L * inner, [acc, b.storage], dtype);
      if (p > 1) ctx.dispose(acc);
      acc = next;
      accLen = L;
    }
    return acc;
  };

export const COPY_SOURCE = `function(a) { return a[this.thread.x]; }`;
