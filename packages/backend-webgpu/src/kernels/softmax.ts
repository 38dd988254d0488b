/** softmax (fused): along one axis, one workgroup per row (see softmax.ts). */
import type { Ref, WebGpuContext } from '../context.js';
import { softmaxLike } from '../softmax.js';

export const softmax = (ctx: WebGpuContext) => (x: Ref, axis: number) => softmaxLike(ctx, 'softmax', x, axis);
