/** avgPool2d with PyTorch's divisor rules (override, countIncludePad, ceil-mode windows). */
import { sizeOf, type Pool2dParams, type Shape } from '@flint/core/backend';
import { split4 } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { avgDivisorCode, poolConstants } from '../pool.js';

const source = `function(x) {
${split4('this.thread.x', ['n', 'c', 'oh', 'ow'], 'C', 'Ho', 'Wo')}
const plane = (n * this.constants.C + c) * this.constants.H * this.constants.W;
let s = 0;
for (let kh = 0; kh < this.constants.kH; kh++) {
  const ih = oh * this.constants.sh - this.constants.ph + kh * this.constants.dh;
  if (ih >= 0 && ih < this.constants.H) {
    for (let kw = 0; kw < this.constants.kW; kw++) {
      const iw = ow * this.constants.sw - this.constants.pw + kw * this.constants.dw;
      if (iw >= 0 && iw < this.constants.W) {
        s = s + x[plane + ih * this.constants.W + iw];
      }
    }
  }
}
${avgDivisorCode('oh', 'ow', 'a')}
if (ahv == 0 || awv == 0) { return 0; }
return s / adiv;
}`;

export const avgPool2d = (ctx: GpuContext) => (x: Ref, params: Pool2dParams, outShape: Shape) => {
  const n = sizeOf(outShape);
  if (n === 0) return ctx.empty(x.dtype);
  return ctx.run('avgPool2d', source, poolConstants(x.shape, outShape, params), n, [x.storage], x.dtype);
};
