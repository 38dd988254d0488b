/**
 * conv2d, direct: one thread per output [n, o, oh, ow] loops over its group's C/groups x kH x kW
 * window. Past 2^24 elements, x is read one sample per row (see conv.ts's splitSample).
 */
import { sizeOf, type Conv2dParams, type Shape } from '@flint/core/backend';
import { checkSamples, convConstants, split3, split4, splitSample } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { divmod, withLimbs } from '../wide.js';

const source = (wide: boolean) => `function(x, w) {
${
  wide
    ? `${splitSample('S', 'n', 'rest')}${split3('rest', ['o', 'oh', 'ow'], 'Ho', 'Wo')}`
    : split4('this.thread.x', ['n', 'o', 'oh', 'ow'], 'O', 'Ho', 'Wo')
}
${divmod('o', 'this.constants.Og', 'g', 'og')}
let acc = 0;
for (let c = 0; c < this.constants.Cg; c++) {
  const xc = (${wide ? '' : 'n * this.constants.C + '}g * this.constants.Cg + c) * this.constants.H;
  const wc = (o * this.constants.Cg + c) * this.constants.kH;
  for (let kh = 0; kh < this.constants.kH; kh++) {
    const ih = oh * this.constants.sh - this.constants.ph + kh * this.constants.dh;
    if (ih >= 0 && ih < this.constants.H) {
      for (let kw = 0; kw < this.constants.kW; kw++) {
        const iw = ow * this.constants.sw - this.constants.pw + kw * this.constants.dw;
        if (iw >= 0 && iw < this.constants.W) {
          acc = acc + x[${wide ? 'n][' : ''}(xc + ih) * this.constants.W + iw] * w[(wc + kh) * this.constants.kW + kw];
        }
      }
    }
  }
}
return acc;
}`;
const narrowSource = source(false);
const wideSource = source(true);

export const conv2d = (ctx: GpuContext) => (x: Ref, weight: Ref, params: Conv2dParams, outShape: Shape) => {
  const n = sizeOf(outShape);
  if (n === 0) return ctx.empty(x.dtype);
  if (sizeOf(x.shape) === 0 || sizeOf(weight.shape) === 0) return ctx.fill(n, 0, x.dtype);
  const c = convConstants(x.shape, weight.shape, outShape, params);
  const args = [x.storage, weight.storage];
  if (!ctx.needsWide(n, x.storage.size, weight.storage.size))
    return ctx.run('conv2d', narrowSource, c, n, args, x.dtype);
  const inPer = c.C! * c.H! * c.W!;
  c.S = c.O! * c.Ho! * c.Wo!;
  checkSamples('conv2d', {
    batch: c.N!,
    'one output sample': c.S,
    'one input sample': inPer,
    weight: weight.storage.size,
  });
  return ctx.run('conv2d/wide', wideSource, withLimbs(c, ['S']), n, args, x.dtype, [inPer, undefined]);
};
