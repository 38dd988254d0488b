/**
 * avgPool2d's backward (gather form): each dx element sums dy / divisor over the outputs whose
 * window has a tap on it (oh * sh - ph + kh * dh == h). Past 2^24 elements, dy is read one plane
 * per row (see conv.ts's splitSample).
 */
import { sizeOf, type Pool2dParams, type Shape } from '@flint/core/backend';
import { checkSamples, split3, split4, splitSample } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { avgDivisorCode, poolConstants } from '../pool.js';
import { withLimbs } from '../wide.js';

const source = (wide: boolean) => `function(dy) {
${
  wide
    ? `${splitSample('S', 'plane', 'rest')}${split3('rest', ['z', 'h', 'w'], 'H', 'W')}`
    : `${split4('this.thread.x', ['n', 'c', 'h', 'w'], 'C', 'H', 'W')}const plane = (n * this.constants.C + c) * this.constants.Ho * this.constants.Wo;`
}
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
        acc = acc + dy[${wide ? 'plane][' : 'plane + '}oh * this.constants.Wo + ow] / bdiv;
      }
    }
  }
}
return acc;
}`;
const narrowSource = source(false);
const wideSource = source(true);

export const avgPool2dBackward = (ctx: GpuContext) => (dy: Ref, xShape: Shape, params: Pool2dParams) => {
  const n = sizeOf(xShape);
  if (n === 0) return ctx.empty(dy.dtype);
  if (sizeOf(dy.shape) === 0) return ctx.fill(n, 0, dy.dtype);
  const c = poolConstants(xShape, dy.shape, params);
  if (!ctx.needsWide(n, dy.storage.size)) {
    return ctx.run('avgPool2dBackward', narrowSource, c, n, [dy.storage], dy.dtype);
  }
  const dyPlane = c.Ho! * c.Wo!;
  c.S = c.H! * c.W!;
  checkSamples('avgPool2dBackward', { 'the planes (N * C)': xShape[0]! * c.C!, 'one plane': c.S });
  return ctx.run('avgPool2dBackward/wide', wideSource, withLimbs(c, ['S']), n, [dy.storage], dy.dtype, dyPlane);
};
