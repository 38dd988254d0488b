/** expand: broadcast x to outShape (stride 0 along stretched dims). */
import { broadcastStrides, type Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { stridedCopy } from '../layout.js';

export const expand = (ctx: WebGpuContext) => (x: Ref, outShape: Shape) =>
  stridedCopy(ctx.device, x.storage, outShape, 0, broadcastStrides(x.shape, outShape));
