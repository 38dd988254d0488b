/** torch.index_select: x viewed as [outer, D, inner]; out [outer, L, inner] with L = index length. */
import { sizeOf } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

const source = `function(x, ind) {
const i = this.thread.x;
const o = Math.floor((i + 0.5) / (this.constants.L * this.constants.I));
const r = i - o * (this.constants.L * this.constants.I);
const l = Math.floor((r + 0.5) / this.constants.I);
const j = r - l * this.constants.I;
return x[(o * this.constants.D + ind[l]) * this.constants.I + j];
}`;

export const indexSelect = (ctx: GpuContext) => (x: Ref, axis: number, index: Ref) => {
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const L = sizeOf(index.shape);
  const c = { D: x.shape[axis]!, L, I: inner };
  return ctx.run('indexSelect', source, c, outer * L * inner, [x.storage, index.storage], x.dtype);
};
