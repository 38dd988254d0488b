/**
 * conv2d's weight gradient, direct: one thread per dw [o, c, kh, kw] sums x * dy over n, oh, ow.
 * When N * Ho * Wo would exceed the software-GL loop budget, the batch is split into G groups
 * (output [G, |dw|]) and the groups are summed by the sum kernel: a two-pass reduction.
 */
import { sizeOf, type Conv2dParams, type Shape } from '@flint/core/backend';
import { LOOP_BUDGET } from '../codegen.js';
import { convConstants, split4 } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { sum } from './sum.js';

const source = `function(x, dy) {
const g = Math.floor((this.thread.x + 0.5) / this.constants.WS);
const widx = this.thread.x - g * this.constants.WS;
${split4('widx', ['o', 'c', 'kh', 'kw'], 'Cg', 'kH', 'kW')}
const grp = Math.floor((o + 0.5) / this.constants.Og);
const ci = grp * this.constants.Cg + c;
let acc = 0;
for (let nl = 0; nl < this.constants.NB; nl++) {
  const n = g * this.constants.NB + nl;
  if (n < this.constants.N) {
    for (let oh = 0; oh < this.constants.Ho; oh++) {
      const ih = oh * this.constants.sh - this.constants.ph + kh * this.constants.dh;
      if (ih >= 0 && ih < this.constants.H) {
        const xr = ((n * this.constants.C + ci) * this.constants.H + ih) * this.constants.W;
        const yr = ((n * this.constants.O + o) * this.constants.Ho + oh) * this.constants.Wo;
        for (let ow = 0; ow < this.constants.Wo; ow++) {
          const iw = ow * this.constants.sw - this.constants.pw + kw * this.constants.dw;
          if (iw >= 0 && iw < this.constants.W) {
            acc = acc + x[xr + iw] * dy[yr + ow];
          }
        }
      }
    }
  }
}
return acc;
}`;

export const conv2dBackwardWeight = (ctx: GpuContext) => (x: Ref, dy: Ref, wShape: Shape, params: Conv2dParams) => {
  const ws = sizeOf(wShape);
  if (ws === 0) return ctx.empty(x.dtype);
  if (sizeOf(x.shape) === 0 || sizeOf(dy.shape) === 0) return ctx.fill(ws, 0, x.dtype);
  const c = convConstants(x.shape, wShape, dy.shape, params);
  const N = c.N!;
  const perSample = c.Ho! * (c.Wo! + 1) + 1;
  const nb = Math.max(1, Math.min(N, Math.floor(LOOP_BUDGET / perSample)));
  const groups = Math.ceil(N / nb);
  c.WS = ws;
  c.NB = nb;
  const partial = ctx.run('conv2dBackwardWeight', source, c, groups * ws, [x.storage, dy.storage], x.dtype);
  if (groups === 1) return partial;
  const out = sum(ctx)({ storage: partial, shape: [groups, ws], dtype: x.dtype }, [0]);
  ctx.dispose(partial);
  return out;
};
