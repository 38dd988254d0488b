import type { DType, TensorRef } from '@flint/core/backend';
import { oneHot as impl } from '../impl/layout.js';
import { CpuStorage } from '../storage.js';
import { i32 } from './adapter.js';

export function oneHot(indices: TensorRef<CpuStorage>, numClasses: number, dtype: DType): CpuStorage {
  return new CpuStorage(impl(i32(indices), numClasses, dtype), dtype);
}
