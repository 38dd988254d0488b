/**
 * maxPool2d's backward, gather-style (no scatter in a fragment shader): each dx element scans the
 * indices of its plane's outputs and sums the dy that point at it. The contract passes no window
 * parameters, so the scan covers the whole output plane: Ho*Wo reads per input element. Past 2^24
 * elements, dy and the indices are read one plane per row.
 */
import { sizeOf, type Shape } from '@flint/core/backend';
import { checkLoopBudget } from '../codegen.js';
import { checkSamples, splitSample } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { divmod, withLimbs } from '../wide.js';

const source = (wide: boolean) => `function(dy, ind) {
${wide ? splitSample('HW', 'p', 'pos') : divmod('this.thread.x', 'this.constants.HW', 'p', 'pos')}
${wide ? '' : 'const base = p * this.constants.P;'}
let acc = 0;
for (let j = 0; j < this.constants.P; j++) {
  if (Math.abs(ind[${wide ? 'p][j' : 'base + j'}] - pos) < 0.5) { acc = acc + dy[${wide ? 'p][j' : 'base + j'}]; }
}
return acc;
}`;
const narrowSource = source(false);
const wideSource = source(true);

export const maxPool2dBackward = (ctx: GpuContext) => (dy: Ref, indices: Ref, xShape: Shape) => {
  const n = sizeOf(xShape);
  if (n === 0) return ctx.empty(dy.dtype);
  const P = dy.shape[2]! * dy.shape[3]!;
  if (P === 0) return ctx.fill(n, 0, dy.dtype);
  checkLoopBudget(ctx.engine, 'maxPool2dBackward', P, `an output plane of ${P} elements`);
  const c = { HW: xShape[2]! * xShape[3]!, P };
  const args = [dy.storage, indices.storage];
  if (!ctx.needsWide(n, dy.storage.size)) return ctx.run('maxPool2dBackward', narrowSource, c, n, args, dy.dtype);
  checkSamples('maxPool2dBackward', { 'the planes (N * C)': xShape[0]! * xShape[1]!, 'one plane': c.HW });
  return ctx.run('maxPool2dBackward/wide', wideSource, withLimbs(c, ['HW']), n, args, dy.dtype, P);
};
