/**
 * maxPool2d's backward, gather-style (no scatter in a fragment shader): each dx element visits
 * only the outputs whose window has a tap on it (oh * sh - ph + kh * dh == h, as avgPool2d's
 * backward), kH * kW of them at most, and sums the dy whose index points at it. The indices come
 * from maxPool2d with the same params, so each lies in its own window. Past 2^24 elements, dy and
 * the indices are read one plane per row.
 */
import { sizeOf, type Pool2dParams, type Shape } from '@flint/core/backend';
import { checkSamples, splitSample } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { poolConstants } from '../pool.js';
import { divmod, withLimbs } from '../wide.js';

const source = (wide: boolean) => `function(dy, ind) {
${wide ? splitSample('HW', 'p', 'pos') : divmod('this.thread.x', 'this.constants.HW', 'p', 'pos')}
${divmod('pos', 'this.constants.W', 'h', 'w')}
${wide ? '' : 'const base = p * this.constants.P;'}
let acc = 0;
for (let kh = 0; kh < this.constants.kH; kh++) {
  const th = h + this.constants.ph - kh * this.constants.dh;
  const oh = Math.floor((th + 0.5) / this.constants.sh);
  if (th >= 0 && oh * this.constants.sh == th && oh < this.constants.Ho) {
    for (let kw = 0; kw < this.constants.kW; kw++) {
      const tw = w + this.constants.pw - kw * this.constants.dw;
      const ow = Math.floor((tw + 0.5) / this.constants.sw);
      if (tw >= 0 && ow * this.constants.sw == tw && ow < this.constants.Wo) {
        const j = oh * this.constants.Wo + ow;
        if (Math.abs(ind[${wide ? 'p][j' : 'base + j'}] - pos) < 0.5) { acc = acc + dy[${wide ? 'p][j' : 'base + j'}]; }
      }
    }
  }
}
return acc;
}`;
const narrowSource = source(false);
const wideSource = source(true);

export const maxPool2dBackward = (ctx: GpuContext) => (dy: Ref, indices: Ref, xShape: Shape, params: Pool2dParams) => {
  const n = sizeOf(xShape);
  if (n === 0) return ctx.empty(dy.dtype);
  const P = dy.shape[2]! * dy.shape[3]!;
  if (P === 0) return ctx.fill(n, 0, dy.dtype);
  const c = { ...poolConstants(xShape, dy.shape, params), HW: xShape[2]! * xShape[3]!, P };
  const args = [dy.storage, indices.storage];
  if (!ctx.needsWide(n, dy.storage.size)) return ctx.run('maxPool2dBackward', narrowSource, c, n, args, dy.dtype);
  checkSamples('maxPool2dBackward', { 'the planes (N * C)': xShape[0]! * xShape[1]!, 'one plane': c.HW });
  return ctx.run('maxPool2dBackward/wide', wideSource, withLimbs(c, ['HW']), n, args, dy.dtype, P);
};
