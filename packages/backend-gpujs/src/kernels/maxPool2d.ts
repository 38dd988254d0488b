/**
 * maxPool2d: values and int32 indices (flat h*W+w within the input plane). gpu.js kernel maps are
 * not available on every engine (webasm degrades them to cpu), so values and indices are two
 * kernels over the same window loop. Padding counts as -inf; a NaN wins (the last one, as backend-cpu).
 */
import { sizeOf, type Pool2dParams, type Shape } from '@flint/core/backend';
import { split4 } from '../conv.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { poolConstants } from '../pool.js';

const windowSource = (result: string) => `function(x) {
${split4('this.thread.x', ['n', 'c', 'oh', 'ow'], 'C', 'Ho', 'Wo')}
const plane = (n * this.constants.C + c) * this.constants.H * this.constants.W;
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
        const v = x[plane + idx];
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

const valuesSource = windowSource('best');
const indicesSource = windowSource('bestIdx');

export const maxPool2d = (ctx: GpuContext) => (x: Ref, params: Pool2dParams, outShape: Shape) => {
  const n = sizeOf(outShape);
  if (n === 0) return { values: ctx.empty(x.dtype), indices: ctx.empty('int32') };
  const c = poolConstants(x.shape, outShape, params);
  return {
    values: ctx.run('maxPool2d/values', valuesSource, c, n, [x.storage], x.dtype),
    indices: ctx.run('maxPool2d/indices', indicesSource, c, n, [x.storage], 'int32'),
  };
};
