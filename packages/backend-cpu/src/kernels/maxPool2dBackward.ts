import type { Shape, TensorRef } from '@flint/core/backend';
import { maxPool2dBackward as impl } from '../impl/pool.js';
import type { CpuStorage } from '../storage.js';
import { f32, i32, wrap } from './adapter.js';

export function maxPool2dBackward(
  dy: TensorRef<CpuStorage>,
  indices: TensorRef<CpuStorage>,
  xShape: Shape,
): CpuStorage {
  return wrap(impl(f32(dy), dy.shape, i32(indices), xShape));
}
