/**
 * maxPool2d: values and int32 indices (flat h*W+w within the input plane). gpu.js kernel maps are
 * not available on every engine (webasm degrades them to cpu), so values and indices are two
 * kernels over the same window loop. Padding counts as -inf; a NaN wins (the last one, as
 * backend-cpu). Past 2^24 elements, x is read one plane per row (see conv.ts's splitSample).
 */
import { sizeOf, type Pool2dParams, type Shape } from '@flint/core/backend';
import { checkSamples, split3, split4, splitSample } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { poolConstants } from '../pool.js';
import { withLimbs } from '../wide.js';

const windowSource = (result: string, wide: boolean) => `function(x) {
${
  wide
    ? `${splitSample('S', 'plane', 'rest')}${split3('rest', ['z', 'oh', 'ow'], 'Ho', 'Wo')}`
    : `${split4('this.thread.x', ['n', 'c', 'oh', 'ow'], 'C', 'Ho', 'Wo')}const plane = (n * this.constants.C + c) * this.constants.H * this.constants.W;`
}
let found = 0;
let best = 0;
let bestIdx = 0;
for (let kh = 0; kh < this.constants.kH; kh++) {
  const ih = oh * this.constants.sh - this.constants.ph + kh * this.constants.dh;
  if (ih >= 0 && ih < this.constants.H) {
    for (let kw = 0; kw < this.constants.kW; kw++) {
      const iw = ow * this.constants.sw - this.constants.pw + kw * this.constants.dw;
      if (iw >= 0 && iw < this.constants.W) {
        const idx = ih * this.constants.W + iw;
        const v = x[${wide ? 'plane][idx' : 'plane + idx'}];
        if (found == 0 || v > best || v != v) {
          best = v;
          bestIdx = idx;
          found = 1;
        }
      }
    }
  }
}
return ${result};
}`;

const sources = {
  values: windowSource('best', false),
  indices: windowSource('bestIdx', false),
  wideValues: windowSource('best', true),
  wideIndices: windowSource('bestIdx', true),
};

export const maxPool2d = (ctx: GpuContext) => (x: Ref, params: Pool2dParams, outShape: Shape) => {
  const n = sizeOf(outShape);
  if (n === 0) return { values: ctx.empty(x.dtype), indices: ctx.empty('int32') };
  const c = poolConstants(x.shape, outShape, params);
  const args = [x.storage];
  if (!ctx.needsWide(n, x.storage.size)) {
    return {
      values: ctx.run('maxPool2d/values', sources.values, c, n, args, x.dtype),
      indices: ctx.run('maxPool2d/indices', sources.indices, c, n, args, 'int32'),
    };
  }
  const plane = c.H! * c.W!;
  c.S = c.Ho! * c.Wo!;
  checkSamples('maxPool2d', { 'the planes (N * C)': x.shape[0]! * c.C!, 'one plane': plane });
  withLimbs(c, ['S']);
  return {
    values: ctx.run('maxPool2d/wideValues', sources.wideValues, c, n, args, x.dtype, plane),
    indices: ctx.run('maxPool2d/wideIndices', sources.wideIndices, c, n, args, 'int32', plane),
  };
};
