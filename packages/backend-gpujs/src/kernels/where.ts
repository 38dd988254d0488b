/** where(cond, a, b): cond (bool, stored 0/1) ? a : b, all three broadcast to outShape. */
import { broadcastStrides, sizeOf, type Shape } from '@flint/core/backend';
import { MAXR, genOffsets, memoSource, stridedWalk, walkConstantNames } from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { genOffsetsWide, threadWide, withLimbs } from '../wide.js';

const source = `function(cnd, a, b) {
${genOffsets('this.thread.x', 'd', ['w', 'a', 'b'])}
if (cnd[off_w] != 0) { return a[off_a]; }
return b[off_b];
}`;

const wideSources = new Map<string, string>();
const wideSource = (rank: number) =>
  memoSource(
    wideSources,
    String(rank),
    () => `function(cnd, a, b) {
${threadWide('i')}${genOffsetsWide('i', 'd', ['w', 'a', 'b'], MAXR, rank)}
if (cnd[off_wH][off_wL] != 0) { return a[off_aH][off_aL]; }
return b[off_bH][off_bL];
}`,
  );

export const where = (ctx: GpuContext) => (cond: Ref, a: Ref, b: Ref, outShape: Shape) => {
  const { c, rank } = stridedWalk(outShape, {
    w: broadcastStrides(cond.shape, outShape),
    a: broadcastStrides(a.shape, outShape),
    b: broadcastStrides(b.shape, outShape),
  });
  const n = sizeOf(outShape);
  const args = [cond.storage, a.storage, b.storage];
  if (ctx.needsWide(n, cond.storage.size, a.storage.size, b.storage.size)) {
    withLimbs(c, walkConstantNames(['w', 'a', 'b']));
    return ctx.run(`where/wide${rank}`, wideSource(rank), c, n, args, a.dtype, 'limbs');
  }
  return ctx.run('where', source, c, n, args, a.dtype);
};
