import type { TensorRef } from '@flint/core/backend';
import { pad as impl } from '../impl/layout.js';
import type { CpuStorage } from '../storage.js';
import { wrap } from './adapter.js';

export function pad(x: TensorRef<CpuStorage>, pads: readonly (readonly [number, number])[], value: number): CpuStorage {
  return wrap(impl(x.storage.data, x.shape, pads, value));
}
