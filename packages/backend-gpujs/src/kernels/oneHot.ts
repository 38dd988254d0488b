/** oneHot: int32 indices [...] -> [..., numClasses]. */
import { sizeOf, type DType } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { divmod, divmodWide, fromNarrow, threadWide, withLimbs } from '../wide.js';

const source = `function(ind) {
${divmod('this.thread.x', 'this.constants.C', 'q', 'cls')}
if (Math.abs(ind[q] - cls) < 0.5) { return 1; }
return 0;
}`;

const wideSource = `function(ind) {
${threadWide('i')}
${divmodWide('i', 'C', 'q', 'cls', 'q')}
const iv = ind[qH][qL];
${fromNarrow('iv', 'g')}
if (gH == clsH && gL == clsL) { return 1; }
return 0;
}`;

export const oneHot = (ctx: GpuContext) => (indices: Ref, numClasses: number, dtype: DType) => {
  const n = sizeOf(indices.shape) * numClasses;
  const c = { C: numClasses };
  if (ctx.needsWide(n, indices.storage.size)) {
    return ctx.run('oneHot/wide', wideSource, withLimbs(c, ['C']), n, [indices.storage], dtype, 'limbs');
  }
  return ctx.run('oneHot', source, c, n, [indices.storage], dtype);
};
