/** argmin: index of the first min along one axis (int32, the axis removed). Tree reduction over (value, index) pairs. */
import type { Ref, WebGpuContext } from '../context.js';
import { argReduce } from '../reduce.js';

export const argmin = (ctx: WebGpuContext) => (x: Ref, axis: number) => argReduce(ctx.device, 'argmin', x, axis);
