import type { TensorRef } from '@flint/core/backend';
import { indexSelect as impl } from '../impl/indexing.js';
import type { CpuStorage } from '../storage.js';
import { i32, wrap } from './adapter.js';

export function indexSelect(x: TensorRef<CpuStorage>, axis: number, index: TensorRef<CpuStorage>): CpuStorage {
  return wrap(impl(x.storage.data, x.shape, axis, i32(index)));
}
