/** write: upload host data. The array is copied (tfjs's cpu engine would otherwise keep the caller's array). */
import type { DataArray, DType, Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { assertReady } from '../engine.js';

export function write(data: DataArray, shape: Shape, dtype: DType): TfTensor {
  assertReady();
  if (dtype === 'bool') {
    const bits = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bits[i] = data[i] !== 0 ? 1 : 0;
    return tf.tensor(bits, shape as number[], 'bool');
  }
  const copy = dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
  return tf.tensor(copy, shape as number[], dtype);
}
