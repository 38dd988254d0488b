import type { Conv2dParams, Shape, TensorRef } from '@flint/core/backend';
import { conv2d as impl } from '../impl/conv.js';
import type { CpuStorage } from '../storage.js';
import { f32, wrap } from './adapter.js';

export function conv2d(
  x: TensorRef<CpuStorage>,
  weight: TensorRef<CpuStorage>,
  params: Conv2dParams,
  outShape: Shape,
): CpuStorage {
  return wrap(impl(f32(x), x.shape, f32(weight), weight.shape, params, outShape));
}
