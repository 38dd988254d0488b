/** max: maximum over axes; NaN propagates. Tree reduction (see reduce.ts). */
import type { Ref, WebGpuContext } from '../context.js';
import { reduce } from '../reduce.js';

export const max = (ctx: WebGpuContext) => (x: Ref, axes: readonly number[]) => reduce(ctx.device, 'max', x, axes);
