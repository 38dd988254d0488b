import type { Conv2dParams, Shape, TensorRef } from '@flint/core/backend';
import { conv2dBackwardInput as impl } from '../impl/conv.js';
import type { CpuStorage } from '../storage.js';
import { f32, wrap } from './adapter.js';

export function conv2dBackwardInput(
  dy: TensorRef<CpuStorage>,
  weight: TensorRef<CpuStorage>,
  xShape: Shape,
  params: Conv2dParams,
): CpuStorage {
  return wrap(impl(f32(dy), dy.shape, f32(weight), weight.shape, xShape, params));
}
