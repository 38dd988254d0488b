import type { Pool2dParams, Shape, TensorRef } from '@flint/core/backend';
import { avgPool2d as impl } from '../impl/pool.js';
import type { CpuStorage } from '../storage.js';
import { f32, wrap } from './adapter.js';

export function avgPool2d(x: TensorRef<CpuStorage>, params: Pool2dParams, outShape: Shape): CpuStorage {
  return wrap(impl(f32(x), x.shape, params, outShape));
}
