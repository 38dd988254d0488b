/** expand: broadcast x to outShape (stride 0 on stretched dims). */
import { broadcastStrides, type Shape } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import { stridedGather, type Ref } from '../elementwise.js';

export const expand = (ctx: GpuContext) => (x: Ref, outShape: Shape) =>
  stridedGather(ctx, 'expand', x, outShape, broadcastStrides(x.shape, outShape), 0);
