import type { TensorRef } from '@flint/core/backend';
import { CpuStorage } from '../storage.js';

export function copy(x: TensorRef<CpuStorage>): CpuStorage {
  return new CpuStorage(x.storage.data.slice(), x.dtype);
}
