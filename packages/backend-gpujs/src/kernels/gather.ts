/** torch.gather: out[..i..] = x[..index[..i..] at axis..]; out.shape = index.shape. */
import { sizeOf, stridesOf } from '@flint/core/backend';
import { genOffsets, stridedConstants } from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

const source = `function(x, ind) {
${genOffsets('this.thread.x', 'd', ['a'])}
return x[off_a + ind[this.thread.x] * this.constants.sAx];
}`;

export const gather = (ctx: GpuContext) => (x: Ref, axis: number, index: Ref) => {
  const xs = stridesOf(x.shape);
  // Walk index's shape with x's strides, the axis contributing through the index value instead.
  const walk = xs.map((s, d) => (d === axis ? 0 : s));
  const c = stridedConstants(index.shape, { a: walk });
  c.sAx = xs[axis]!;
  return ctx.run('gather', source, c, sizeOf(index.shape), [x.storage, index.storage], x.dtype);
};
