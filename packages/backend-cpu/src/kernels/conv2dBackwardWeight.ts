import type { Conv2dParams, Shape, TensorRef } from '@flint/core/backend';
import { conv2dBackwardWeight as impl } from '../impl/conv.js';
import type { CpuStorage } from '../storage.js';
import { f32, wrap } from './adapter.js';

export function conv2dBackwardWeight(
  x: TensorRef<CpuStorage>,
  dy: TensorRef<CpuStorage>,
  wShape: Shape,
  params: Conv2dParams,
): CpuStorage {
  return wrap(impl(f32(x), x.shape, f32(dy), dy.shape, wShape, params));
}
