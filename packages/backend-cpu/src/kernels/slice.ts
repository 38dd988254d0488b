import type { Shape, TensorRef } from '@flint/core/backend';
import { slice as impl } from '../impl/layout.js';
import type { CpuStorage } from '../storage.js';
import { wrap } from './adapter.js';

export function slice(
  x: TensorRef<CpuStorage>,
  begin: readonly number[],
  step: readonly number[],
  outShape: Shape,
): CpuStorage {
  return wrap(impl(x.storage.data, x.shape, begin, step, outShape));
}
