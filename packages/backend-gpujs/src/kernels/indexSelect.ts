/** torch.index_select: x viewed as [outer, D, inner]; out [outer, L, inner] with L = index length. */
import { sizeOf } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { addWide, divmod, divmodWide, fromNarrow, madWide, threadWide, withLimbs, zeroWide } from '../wide.js';

const source = `function(x, ind) {
${divmod('this.thread.x', 'this.constants.LI', 'o', 'r')}
${divmod('r', 'this.constants.I', 'l', 'j')}
return x[(o * this.constants.D + ind[l]) * this.constants.I + j];
}`;

const wideSource = `function(x, ind) {
${threadWide('i')}
${divmodWide('i', 'LI', 'o', 'r', 'or')}
${divmodWide('r', 'I', 'l', 'j', 'lj')}
const iv = ind[lH][lL];
${fromNarrow('iv', 'g')}
${zeroWide('p')}
${madWide('p', 'o', 'DI', 'o')}
${madWide('p', 'g', 'I', 'g')}
${addWide('p', 'j')}
return x[pH][pL];
}`;

export const indexSelect = (ctx: GpuContext) => (x: Ref, axis: number, index: Ref) => {
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const L = sizeOf(index.shape);
  const D = x.shape[axis]!;
  const c = { D, L, I: inner, LI: L * inner, DI: D * inner };
  const n = outer * L * inner;
  const args = [x.storage, index.storage];
  if (ctx.needsWide(n, x.storage.size, index.storage.size)) {
    return ctx.run('indexSelect/wide', wideSource, withLimbs(c, Object.keys(c)), n, args, x.dtype, 'limbs');
  }
  return ctx.run('indexSelect', source, c, n, args, x.dtype);
};
