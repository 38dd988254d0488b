/**
 * avgPool2d with PyTorch's divisor rules (override, countIncludePad, ceil-mode windows). Past 2^24
 * elements, x is read one plane per row (see conv.ts's splitSample).
 */
import { sizeOf, type Pool2dParams, type Shape } from '@flint/core/backend';
import { checkSamples, split3, split4, splitSample } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { avgDivisorCode, poolConstants } from '../pool.js';
import { withLimbs } from '../wide.js';

const source = (wide: boolean) => `function(x) {
${
  wide
    ? `${splitSample('S', 'plane', 'rest')}${split3('rest', ['z', 'oh', 'ow'], 'Ho', 'Wo')}`
    : `${split4('this.thread.x', ['n', 'c', 'oh', 'ow'], 'C', 'Ho', 'Wo')}const plane = (n * this.constants.C + c) * this.constants.H * this.constants.W;`
}
let s = 0;
for (let kh = 0; kh < this.constants.kH; kh++) {
  const ih = oh * this.constants.sh - this.constants.ph + kh * this.constants.dh;
  if (ih >= 0 && ih < this.constants.H) {
    for (let kw = 0; kw < this.constants.kW; kw++) {
      const iw = ow * this.constants.sw - this.constants.pw + kw * this.constants.dw;
      if (iw >= 0 && iw < this.constants.W) {
        s = s + x[${wide ? 'plane][' : 'plane + '}ih * this.constants.W + iw];
      }
    }
  }
}
${avgDivisorCode('oh', 'ow', 'a')}
if (ahv == 0 || awv == 0) { return 0; }
return s / adiv;
}`;
const narrowSource = source(false);
const wideSource = source(true);

export const avgPool2d = (ctx: GpuContext) => (x: Ref, params: Pool2dParams, outShape: Shape) => {
  const n = sizeOf(outShape);
  if (n === 0) return ctx.empty(x.dtype);
  const c = poolConstants(x.shape, outShape, params);
  if (!ctx.needsWide(n, x.storage.size)) return ctx.run('avgPool2d', narrowSource, c, n, [x.storage], x.dtype);
  const plane = c.H! * c.W!;
  c.S = c.Ho! * c.Wo!;
  checkSamples('avgPool2d', { 'the planes (N * C)': x.shape[0]! * c.C!, 'one plane': plane });
  return ctx.run('avgPool2d/wide', wideSource, withLimbs(c, ['S']), n, [x.storage], x.dtype, plane);
};
