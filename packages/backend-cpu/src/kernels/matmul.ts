import type { Shape, TensorRef } from '@flint/core/backend';
import { matmul as impl } from '../impl/matmul.js';
import type { CpuStorage } from '../storage.js';
import { wrap } from './adapter.js';

export function matmul(
  a: TensorRef<CpuStorage>,
  b: TensorRef<CpuStorage>,
  transposeA: boolean,
  transposeB: boolean,
  outShape: Shape,
): CpuStorage {
  return wrap(impl(a.storage.data, a.shape, b.storage.data, b.shape, transposeA, transposeB, outShape));
}
