/** conv2d's weight gradient, direct: one thread per dw [o, c, kh, kw] sums over n, oh, ow. */
import { sizeOf, type Conv2dParams, type Shape } from '@flint/core/backend';
import { convConstants, split4 } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

const source = `function(x, dy) {
${split4('this.thread.x', ['o', 'c', 'kh', 'kw'], 'Cg', 'kH', 'kW')}
const g = Math.floor((o + 0.5) / this.constants.Og);
const ci = g * this.constants.Cg + c;
let acc = 0;
for (let n = 0; n < this.constants.N; n++) {
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
return acc;
}`;

export const conv2dBackwardWeight = (ctx: GpuContext) => (x: Ref, dy: Ref, wShape: Shape, params: Conv2dParams) => {
  const n = sizeOf(wShape);
  if (n === 0) return ctx.empty(x.dtype);
  if (sizeOf(x.shape) === 0 || sizeOf(dy.shape) === 0) return ctx.fill(n, 0, x.dtype);
  const c = convConstants(x.shape, wShape, dy.shape, params);
  return ctx.run('conv2dBackwardWeight', source, c, n, [x.storage, dy.storage], x.dtype);
};
