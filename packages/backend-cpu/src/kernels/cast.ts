import type { DType, TensorRef } from '@flint/core/backend';
import { cast as impl } from '../impl/layout.js';
import { CpuStorage } from '../storage.js';

export function cast(x: TensorRef<CpuStorage>, dtype: DType): CpuStorage {
  return new CpuStorage(impl(x.storage.data, dtype), dtype);
}
