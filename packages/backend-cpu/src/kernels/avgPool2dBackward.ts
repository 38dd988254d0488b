import type { Pool2dParams, Shape, TensorRef } from '@flint/core/backend';
import { avgPool2dBackward as impl } from '../impl/pool.js';
import type { CpuStorage } from '../storage.js';
import { f32, wrap } from './adapter.js';

export function avgPool2dBackward(dy: TensorRef<CpuStorage>, xShape: Shape, params: Pool2dParams): CpuStorage {
  return wrap(impl(f32(dy), dy.shape, xShape, params));
}
