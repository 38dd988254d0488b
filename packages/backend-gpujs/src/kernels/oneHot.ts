/** oneHot: int32 indices [...] -> [..., numClasses]. */
import { sizeOf, type DType } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

const source = `function(ind) {
const i = this.thread.x;
const q = Math.floor((i + 0.5) / this.constants.C);
const cls = i - q * this.constants.C;
if (Math.abs(ind[q] - cls) < 0.5) { return 1; }
return 0;
}`;

export const oneHot = (ctx: GpuContext) => (indices: Ref, numClasses: number, dtype: DType) =>
  ctx.run('oneHot', source, { C: numClasses }, sizeOf(indices.shape) * numClasses, [indices.storage], dtype);
