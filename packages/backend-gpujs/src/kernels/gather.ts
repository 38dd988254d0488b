/** torch.gather: out[..i..] = x[..index[..i..] at axis..]; out.shape = index.shape. */
import { sizeOf, stridesOf } from '@flint/core/backend';
import { MAXR, genOffsets, memoSource, stridedWalk, walkConstantNames } from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { fromNarrow, genOffsetsWide, madWide, threadWide, withLimbs } from '../wide.js';

const source = `function(x, ind) {
${genOffsets('this.thread.x', 'd', ['a'])}
return x[off_a + ind[this.thread.x] * this.constants.sAx];
}`;

const wideSources = new Map<string, string>();
const wideSource = (rank: number) =>
  memoSource(
    wideSources,
    String(rank),
    () => `function(x, ind) {
${threadWide('i')}${genOffsetsWide('i', 'd', ['a'], MAXR, rank)}
const iv = ind[this.thread.x];
${fromNarrow('iv', 'g')}${madWide('off_a', 'g', 'sAx', 'g')}
return x[off_aH][off_aL];
}`,
  );

export const gather = (ctx: GpuContext) => (x: Ref, axis: number, index: Ref) => {
  const xs = stridesOf(x.shape);
  // Walk index's shape with x's strides, the axis contributing through the index value instead.
  const walk = xs.map((s, d) => (d === axis ? 0 : s));
  const { c, rank } = stridedWalk(index.shape, { a: walk });
  c.sAx = xs[axis]!;
  const n = sizeOf(index.shape);
  if (ctx.needsWide(n, x.storage.size, index.storage.size)) {
    withLimbs(c, [...walkConstantNames(['a']), 'sAx']);
    return ctx.run(`gather/wide${rank}`, wideSource(rank), c, n, [x.storage, index.storage], x.dtype, 'limbs');
  }
  return ctx.run('gather', source, c, n, [x.storage, index.storage], x.dtype);
};
