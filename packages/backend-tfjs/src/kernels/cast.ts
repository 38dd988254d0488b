/**
 * cast: float -> int32 truncates toward zero (native Cast); anything -> bool is x != 0 (composed:
 * tfjs-wasm's Cast to bool keeps the low byte instead of normalising, and maps NaN to false).
 */
import type { DType } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { run, toBool, view, type Ref } from '../util.js';

export function cast(x: Ref, dtype: DType): TfTensor {
  return run([x], () => {
    const t = view(x);
    if (dtype === x.dtype) return tf.clone(t);
    if (dtype === 'bool') return toBool(t);
    return tf.cast(t, dtype);
  });
}
