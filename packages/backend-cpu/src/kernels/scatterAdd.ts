import type { TensorRef } from '@flint/core/backend';
import { scatterAdd as impl } from '../impl/indexing.js';
import type { CpuStorage } from '../storage.js';
import { i32, wrap } from './adapter.js';

export function scatterAdd(
  x: TensorRef<CpuStorage>,
  axis: number,
  index: TensorRef<CpuStorage>,
  src: TensorRef<CpuStorage>,
): CpuStorage {
  return wrap(impl(x.storage.data, x.shape, axis, i32(index), index.shape, src.storage.data, src.shape));
}
