import type { Shape, TensorRef } from '@flint/core/backend';
import { concat as impl } from '../impl/layout.js';
import { CpuStorage } from '../storage.js';

export function concat(xs: readonly TensorRef<CpuStorage>[], axis: number, outShape: Shape): CpuStorage {
  const dtype = xs[0]!.dtype;
  return new CpuStorage(
    impl(
      xs.map((x) => ({ data: x.storage.data, shape: x.shape })),
      axis,
      outShape,
      dtype,
    ),
    dtype,
  );
}
