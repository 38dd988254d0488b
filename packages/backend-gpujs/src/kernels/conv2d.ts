/** conv2d, direct: one thread per output [n, o, oh, ow] loops over its group's C/groups x kH x kW window. */
import { sizeOf, type Conv2dParams, type Shape } from '@flint/core/backend';
import { convConstants, split4 } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

const source = `function(x, w) {
${split4('this.thread.x', ['n', 'o', 'oh', 'ow'], 'O', 'Ho', 'Wo')}
const g = Math.floor((o + 0.5) / this.constants.Og);
let acc = 0;
for (let c = 0; c < this.constants.Cg; c++) {
  const xc = (n * this.constants.C + g * this.constants.Cg + c) * this.constants.H;
  const wc = (o * this.constants.Cg + c) * this.constants.kH;
  for (let kh = 0; kh < this.constants.kH; kh++) {
    const ih = oh * this.constants.sh - this.constants.ph + kh * this.constants.dh;
    if (ih >= 0 && ih < this.constants.H) {
      for (let kw = 0; kw < this.constants.kW; kw++) {
        const iw = ow * this.constants.sw - this.constants.pw + kw * this.constants.dw;
        if (iw >= 0 && iw < this.constants.W) {
          acc = acc + x[(xc + ih) * this.constants.W + iw] * w[(wc + kh) * this.constants.kW + kw];
        }
      }
    }
  }
}
return acc;
}`;

export const conv2d = (ctx: GpuContext) => (x: Ref, weight: Ref, params: Conv2dParams, outShape: Shape) => {
  const n = sizeOf(outShape);
  if (n === 0) return ctx.empty(x.dtype);
  if (sizeOf(x.shape) === 0 || sizeOf(weight.shape) === 0) return ctx.fill(n, 0, x.dtype);
  const c = convConstants(x.shape, weight.shape, outShape, params);
  return ctx.run('conv2d', source, c, n, [x.storage, weight.storage], x.dtype);
};
