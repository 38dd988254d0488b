/** fill: a storage of `shape` filled with `value` (a uniform: one compiled kernel per size). */
import { sizeOf, type DType, type Shape } from '@flint/core/backend';
import type { GpuContext } from '../context.js';

export const fill = (ctx: GpuContext) => (shape: Shape, dtype: DType, value: number) => {
  ctx.noteFirstUse();
  const v = dtype === 'bool' ? (value !== 0 ? 1 : 0) : dtype === 'int32' ? Math.trunc(value) : Math.fround(value);
  return ctx.fill(sizeOf(shape), v, dtype);
};
