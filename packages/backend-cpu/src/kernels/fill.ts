import type { DType, Shape } from '@flint/core/backend';
import { alloc, coerce, sizeOf } from '../impl/util.js';
import { CpuStorage } from '../storage.js';

export function fill(shape: Shape, dtype: DType, value: number): CpuStorage {
  const data = alloc(dtype, sizeOf(shape));
  const v = coerce(value, dtype);
  if (v !== 0) data.fill(v);
  return new CpuStorage(data, dtype);
}
