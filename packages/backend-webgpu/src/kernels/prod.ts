/** prod: product over axes; an empty reduction gives 1. Tree reduction (see reduce.ts). */
import type { Ref, WebGpuContext } from '../context.js';
import { reduce } from '../reduce.js';

export const prod = (ctx: WebGpuContext) => (x: Ref, axes: readonly number[]) => reduce(ctx.device, 'prod', x, axes);
