/** where(cond, a, b): cond (bool, stored 0/1) ? a : b, all three broadcast to outShape. */
import { broadcastStrides, sizeOf, type Shape } from '@flint/core/backend';
import { genOffsets, stridedConstants } from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

const source = `function(cnd, a, b) {
${genOffsets('this.thread.x', 'd', ['w', 'a', 'b'])}
if (cnd[off_w] != 0) { return a[off_a]; }
return b[off_b];
}`;

export const where = (ctx: GpuContext) => (cond: Ref, a: Ref, b: Ref, outShape: Shape) => {
  const k = stridedConstants(outShape, {
    w: broadcastStrides(cond.shape, outShape),
    a: broadcastStrides(a.shape, outShape),
    b: broadcastStrides(b.shape, outShape),
  });
  return ctx.run('where', source, k, sizeOf(outShape), [cond.storage, a.storage, b.storage], a.dtype);
};
