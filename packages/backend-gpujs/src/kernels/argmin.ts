/** argmin along one axis: int32 index of the first minimum (a NaN counts as the minimum, as in torch). */
import { reduceConstants, reduceSource } from '../reduce.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

const source = reduceSource(
  'let best = x[off_k];\nlet idx = 0;',
  'if (best == best) {\nif (v < best || v != v) { best = v; idx = r; }\n}',
  'idx',
);

export const argmin = (ctx: GpuContext) => (x: Ref, axis: number) => {
  const { c, outSize } = reduceConstants(x.shape, [axis]);
  return ctx.run('argmin', source, c, outSize, [x.storage], 'int32');
};
