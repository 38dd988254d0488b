/**
 * conv2d's input gradient, direct (gather form): one thread per dx [n, c, h, w] sums
 * dy[n, o, oh, ow] * w[o, c', kh, kw] over the outputs whose window covers (h, w). Past 2^24
 * elements, dy is read one sample per row (see conv.ts's splitSample).
 */
import { sizeOf, type Conv2dParams, type Shape } from '@flint/core/backend';
import { checkSamples, convConstants, split3, split4, splitSample } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { divmod, withLimbs } from '../wide.js';

const source = (wide: boolean) => `function(dy, w) {
${
  wide
    ? `${splitSample('S', 'n', 'rest')}${split3('rest', ['c', 'h', 'x'], 'H', 'W')}`
    : split4('this.thread.x', ['n', 'c', 'h', 'x'], 'C', 'H', 'W')
}
${divmod('c', 'this.constants.Cg', 'g', 'cc')}
let acc = 0;
for (let oo = 0; oo < this.constants.Og; oo++) {
  const o = g * this.constants.Og + oo;
  for (let kh = 0; kh < this.constants.kH; kh++) {
    const th = h + this.constants.ph - kh * this.constants.dh;
    const oh = Math.floor((th + 0.5) / this.constants.sh);
    if (th >= 0 && oh * this.constants.sh == th && oh < this.constants.Ho) {
      for (let kw = 0; kw < this.constants.kW; kw++) {
        const tw = x + this.constants.pw - kw * this.constants.dw;
        const ow = Math.floor((tw + 0.5) / this.constants.sw);
        if (tw >= 0 && ow * this.constants.sw == tw && ow < this.constants.Wo) {
          acc = acc + dy[${wide ? 'n][((' : '((n * this.constants.O + '}o) * this.constants.Ho + oh) * this.constants.Wo + ow] *
            w[((o * this.constants.Cg + cc) * this.constants.kH + kh) * this.constants.kW + kw];
        }
      }
    }
  }
}
return acc;
}`;
const narrowSource = source(false);
const wideSource = source(true);

export const conv2dBackwardInput = (ctx: GpuContext) => (dy: Ref, weight: Ref, xShape: Shape, params: Conv2dParams) => {
  const n = sizeOf(xShape);
  if (n === 0) return ctx.empty(dy.dtype);
  if (sizeOf(dy.shape) === 0 || sizeOf(weight.shape) === 0) return ctx.fill(n, 0, dy.dtype);
  const c = convConstants(xShape, weight.shape, dy.shape, params);
  const args = [dy.storage, weight.storage];
  if (!ctx.needsWide(n, dy.storage.size, weight.storage.size)) {
    return ctx.run('conv2dBackwardInput', narrowSource, c, n, args, dy.dtype);
  }
  const dyPer = c.O! * c.Ho! * c.Wo!;
  c.S = c.C! * c.H! * c.W!;
  checkSamples('conv2dBackwardInput', {
    batch: c.N!,
    'one input-gradient sample': c.S,
    'one output-gradient sample': dyPer,
    weight: weight.storage.size,
  });
  return ctx.run('conv2dBackwardInput/wide', wideSource, withLimbs(c, ['S']), n, args, dy.dtype, [dyPer, undefined]);
};
