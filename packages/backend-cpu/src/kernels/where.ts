import type { Shape, TensorRef } from '@flint/core/backend';
import { where as impl } from '../impl/binary.js';
import type { CpuStorage } from '../storage.js';
import { wrap } from './adapter.js';

export function where(
  cond: TensorRef<CpuStorage>,
  a: TensorRef<CpuStorage>,
  b: TensorRef<CpuStorage>,
  outShape: Shape,
): CpuStorage {
  return wrap(
    impl(cond.storage.data as Uint8Array, cond.shape, a.storage.data, a.shape, b.storage.data, b.shape, outShape),
  );
}
