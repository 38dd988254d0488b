import type { MaxPoolResult, Pool2dParams, Shape, TensorRef } from '@flint/core/backend';
import { maxPool2d as impl } from '../impl/pool.js';
import type { CpuStorage } from '../storage.js';
import { f32, wrap } from './adapter.js';

export function maxPool2d(x: TensorRef<CpuStorage>, params: Pool2dParams, outShape: Shape): MaxPoolResult<CpuStorage> {
  const { values, indices } = impl(f32(x), x.shape, params, outShape);
  return { values: wrap(values), indices: wrap(indices) };
}
