import type { TensorRef } from '@flint/core/backend';
import { leakyRelu as impl } from '../impl/unary.js';
import type { CpuStorage } from '../storage.js';
import { f32, wrap } from './adapter.js';

export function leakyRelu(x: TensorRef<CpuStorage>, negativeSlope: number): CpuStorage {
  return wrap(impl(f32(x), negativeSlope));
}
