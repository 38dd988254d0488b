/**
 * avgPool2d's backward (gather form): each dx element sums dy / divisor over the outputs whose
 * window has a tap on it (oh * sh - ph + kh * dh == h).
 */
import { sizeOf, type Pool2dParams, type Shape } from '@flint/core/backend';
import { split4 } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { avgDivisorCode, poolConstants } from '../pool.js';

const source = `function(dy) {
${split4('this.thread.x', ['n', 'c', 'h', 'w'], 'C', 'H', 'W')}
const plane = (n * this.constants.C + c) * this.constants.Ho * this.constants.Wo;
let acc = 0;
for (let kh = 0; kh < this.constants.kH; kh++) {
  const th = h + this.constants.ph - kh * this.constants.dh;
  const oh = Math.floor((th + 0.5) / this.constants.sh);
  if (th >= 0 && oh * this.constants.sh == th && oh < this.constants.Ho) {
    for (let kw = 0; kw < this.constants.kW; kw++) {
      const tw = w + this.constants.pw - kw * this.constants.dw;
      const ow = Math.floor((tw + 0.5) / this.constants.sw);
      if (tw >= 0 && ow * this.constants.sw == tw && ow < this.constants.Wo) {
${avgDivisorCode('oh', 'ow', 'b')}
        acc = acc + dy[plane + oh * this.constants.Wo + ow] / bdiv;
      }
    }
  }
}
return acc;
}`;

export const avgPool2dBackward = (ctx: GpuContext) => (dy: Ref, xShape: Shape, params: Pool2dParams) => {
  const n = sizeOf(xShape);
  if (n === 0) return ctx.empty(dy.dtype);
  if (sizeOf(dy.shape) === 0) return ctx.fill(n, 0, dy.dtype);
  return ctx.run('avgPool2dBackward', source, poolConstants(xShape, dy.shape, params), n, [dy.storage], dy.dtype);
};
