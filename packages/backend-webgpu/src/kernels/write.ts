/** write: upload host data (int32 as i32, bool as one u32 per element). */
import { sizeOf, type DataArray, type DType, type Shape } from '@flint/core/backend';
import type { WebGpuContext } from '../context.js';

export const write = (ctx: WebGpuContext) => (data: DataArray, shape: Shape, dtype: DType) => {
  const n = sizeOf(shape);
  if (data.length !== n) {
    throw new Error(
      `@flint/backend-webgpu: write got ${data.length} values for shape [${shape.join(', ')}] (${n} elements).`,
    );
  }
  return ctx.device.upload(data, dtype);
};
