/** readSync: synchronous read back via tf.Tensor.dataSync() (every tfjs engine can read synchronously). */
import type { DataArray, DType } from '@flint/core/backend';
import type { Ref } from '../util.js';
import { assertReady } from '../engine.js';

export function readSync(x: Ref): DataArray {
  assertReady();
  return ownedArray(x.storage.dataSync(), x.dtype);
}

/** A fresh array owned by the caller (tfjs's cpu engine hands out its internal array). */
export function ownedArray(data: ArrayLike<number> | unknown, dtype: DType): DataArray {
  const src = data as ArrayLike<number>;
  switch (dtype) {
    case 'float32':
      return Float32Array.from(src);
    case 'int32':
      return Int32Array.from(src);
    case 'bool':
      return Uint8Array.from(src, (v) => (v !== 0 ? 1 : 0));
  }
}
