import type { TensorRef } from '@flint/core/backend';
import { softmax as impl } from '../impl/nn.js';
import type { CpuStorage } from '../storage.js';
import { f32, wrap } from './adapter.js';

/** Fused, numerically stable softmax along one axis. */
export function softmax(x: TensorRef<CpuStorage>, axis: number): CpuStorage {
  return wrap(impl(f32(x), x.shape, axis));
}
