/**
 * conv2d's weight gradient, direct: one thread per dw [o, c, kh, kw] sums x * dy over n, oh, ow,
 * compensated (see codegen's twoSumStep). The batch is split into G groups of about
 * GROUP_PRODUCTS products per thread (output [G, |dw|]), and the sum kernel adds the groups: a
 * two-pass reduction that stays under the software-GL loop budget and gives a small |dw| more
 * threads. Past 2^24 elements, x and dy are read one sample per row (see conv.ts's splitSample).
 */
import { sizeOf, type Conv2dParams, type Shape } from '@flint/core/backend';
import { checkLoopBudget, compensatedReturn, twoSumStep } from '../codegen.js';
import { checkSamples, convConstants, split4 } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import type { GpuStorage } from '../storage.js';
import { divmod } from '../wide.js';
import { sum } from './sum.js';

/** Products one thread sums (at most about one per loop iteration, far below LOOP_BUDGET). */
const GROUP_PRODUCTS = 4096;

const source = (wide: boolean) => `function(x, dy, one) {
${divmod('this.thread.x', 'this.constants.WS', 'g', 'widx')}
${split4('widx', ['o', 'c', 'kh', 'kw'], 'Cg', 'kH', 'kW')}
${divmod('o', 'this.constants.Og', 'grp', 'og')}
const ci = grp * this.constants.Cg + c;
let acc = 0;
let comp = 0;
for (let nl = 0; nl < this.constants.NB; nl++) {
  const n = g * this.constants.NB + nl;
  if (n < this.constants.N) {
    for (let oh = 0; oh < this.constants.Ho; oh++) {
      const ih = oh * this.constants.sh - this.constants.ph + kh * this.constants.dh;
      if (ih >= 0 && ih < this.constants.H) {
        const xr = ((${wide ? '' : 'n * this.constants.C + '}ci) * this.constants.H + ih) * this.constants.W;
        const yr = ((${wide ? '' : 'n * this.constants.O + '}o) * this.constants.Ho + oh) * this.constants.Wo;
        for (let ow = 0; ow < this.constants.Wo; ow++) {
          const iw = ow * this.constants.sw - this.constants.pw + kw * this.constants.dw;
          if (iw >= 0 && iw < this.constants.W) {
            const v = x[${wide ? 'n][' : ''}xr + iw] * dy[${wide ? 'n][' : ''}yr + ow];
            ${twoSumStep('acc', 'comp', 'v')}
          }
        }
      }
    }
  }
}
${compensatedReturn('acc', 'comp')}
}`;
const narrowSource = source(false);
const wideSource = source(true);

export const conv2dBackwardWeight = (ctx: GpuContext) => (x: Ref, dy: Ref, wShape: Shape, params: Conv2dParams) => {
  const ws = sizeOf(wShape);
  if (ws === 0) return ctx.empty(x.dtype);
  if (sizeOf(x.shape) === 0 || sizeOf(dy.shape) === 0) return ctx.fill(ws, 0, x.dtype);
  const c = convConstants(x.shape, wShape, dy.shape, params);
  const N = c.N!;
  const perSample = c.Ho! * (c.Wo! + 1) + 1;
  checkLoopBudget(ctx.engine, 'conv2dBackwardWeight', perSample, `an output plane of ${c.Ho} x ${c.Wo}`);
  const nb = Math.max(1, Math.min(N, Math.floor(GROUP_PRODUCTS / perSample)));
  const groups = Math.ceil(N / nb);
  c.WS = ws;
  c.NB = nb;
  const args = [x.storage, dy.storage, 1];
  let partial: GpuStorage;
  if (ctx.needsWide(groups * ws, x.storage.size, dy.storage.size)) {
    const xPer = c.C! * c.H! * c.W!;
    const dyPer = c.O! * c.Ho! * c.Wo!;
    checkSamples('conv2dBackwardWeight', {
      batch: N,
      'one input sample': xPer,
      'one output-gradient sample': dyPer,
      'the partial weight gradients': groups * ws,
    });
    partial = ctx.run('conv2dBackwardWeight/wide', wideSource, c, groups * ws, args, x.dtype, [xPer, dyPer]);
  } else {
    partial = ctx.run('conv2dBackwardWeight', narrowSource, c, groups * ws, args, x.dtype);
  }
  if (groups === 1) return partial;
  const out = sum(ctx)({ storage: partial, shape: [groups, ws], dtype: x.dtype }, [0]);
  ctx.dispose(partial);
  return out;
};
