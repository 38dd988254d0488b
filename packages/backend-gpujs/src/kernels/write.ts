/** write: upload host data. int32 and bool become float32 values on the device (exact below 2^24). */
import { sizeOf, type DataArray, type DType, type Shape } from '@flint/core/backend';
import type { GpuContext } from '../context.js';

export const write = (ctx: GpuContext) => (data: DataArray, shape: Shape, dtype: DType) => {
  const n = sizeOf(shape);
  if (data.length !== n) throw new Error(`@flint/backend-gpujs: write got ${data.length} values for ${n} elements.`);
  ctx.noteFirstUse();
  const floats = data instanceof Float32Array ? data : Float32Array.from(data);
  return ctx.upload(floats, dtype);
};
