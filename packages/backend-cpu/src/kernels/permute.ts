import type { TensorRef } from '@flint/core/backend';
import { permute as impl } from '../impl/layout.js';
import type { CpuStorage } from '../storage.js';
import { wrap } from './adapter.js';

export function permute(x: TensorRef<CpuStorage>, perm: readonly number[]): CpuStorage {
  return wrap(impl(x.storage.data, x.shape, perm));
}
