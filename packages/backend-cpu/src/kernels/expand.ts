import type { Shape, TensorRef } from '@flint/core/backend';
import { expand as impl } from '../impl/layout.js';
import type { CpuStorage } from '../storage.js';
import { wrap } from './adapter.js';

export function expand(x: TensorRef<CpuStorage>, outShape: Shape): CpuStorage {
  return wrap(impl(x.storage.data, x.shape, outShape));
}
