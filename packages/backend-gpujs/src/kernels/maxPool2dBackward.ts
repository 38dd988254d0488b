/**
 * maxPool2d's backward (gather form, since a shader cannot scatter): each dx element scans the
 * indices of its plane's outputs and sums the dy that point at it. The contract passes no window
 * parameters, so the scan covers the whole output plane: Ho*Wo reads per input element.
 */
import { sizeOf, type Shape } from '@flint/core/backend';
import { checkLoopBudget } from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

const source = `function(dy, ind) {
const i = this.thread.x;
const p = Math.floor((i + 0.5) / this.constants.HW);
const pos = i - p * this.constants.HW;
const base = p * this.constants.P;
let acc = 0;
for (let j = 0; j < this.constants.P; j++) {
  if (Math.abs(ind[base + j] - pos) < 0.5) { acc = acc + dy[base + j]; }
}
return acc;
}`;

export const maxPool2dBackward = (ctx: GpuContext) => (dy: Ref, indices: Ref, xShape: Shape) => {
  const n = sizeOf(xShape);
  if (n === 0) return ctx.empty(dy.dtype);
  const P = dy.shape[2]! * dy.shape[3]!;
  if (P === 0) return ctx.fill(n, 0, dy.dtype);
  checkLoopBudget(ctx.engine, 'maxPool2dBackward', P, `an output plane of ${P} elements`);
  const c = { HW: xShape[2]! * xShape[3]!, P };
  return ctx.run('maxPool2dBackward', source, c, n, [dy.storage, indices.storage], dy.dtype);
};
