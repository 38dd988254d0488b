import type { DataArray, TensorRef } from '@flint/core/backend';
import type { CpuStorage } from '../storage.js';

/** A fresh copy owned by the caller. */
export function readSync(x: TensorRef<CpuStorage>): DataArray {
  if (x.storage.isDisposed) throw new Error('Cannot read a disposed tensor: its cpu storage was already freed.');
  return x.storage.data.slice();
}
