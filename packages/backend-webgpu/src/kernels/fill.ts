/** fill: every element set to the value's 32-bit pattern in the dtype (a uniform, so no recompiles). */
import { sizeOf, type DType, type Shape } from '@flint/core/backend';
import type { WebGpuContext } from '../context.js';
import { fillWords, wordOf } from '../layout.js';

export const fill = (ctx: WebGpuContext) => (shape: Shape, dtype: DType, value: number) =>
  fillWords(ctx.device, sizeOf(shape), dtype, wordOf(value, dtype));
