/** sum: sum over axes (float32 or int32, wrapping); an empty reduction gives 0. Tree reduction (see reduce.ts). */
import type { Ref, WebGpuContext } from '../context.js';
import { reduce } from '../reduce.js';

export const sum = (ctx: WebGpuContext) => (x: Ref, axes: readonly number[]) => reduce(ctx.device, 'sum', x, axes);
