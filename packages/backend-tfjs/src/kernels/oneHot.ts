/** oneHot: int32 indices [...] -> [..., numClasses] (native OneHot in int32, then cast: wasm's float32 OneHot writes int bits). */
import type { DType } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, restoreDtype, run, view, type Ref } from '../util.js';

export function oneHot(indices: Ref, numClasses: number, dtype: DType): TfTensor {
  return run([indices], () => {
    const outShape = [...indices.shape, numClasses];
    if (isEmpty(outShape)) return filled(outShape, dtype, 0);
    // tfjs's OneHot needs depth >= 2; with one class every in-range index is 0.
    if (numClasses === 1) return filled(outShape, dtype, 1);
    const flat = tf.reshape(view(indices), [-1]);
    const hot = tf.reshape(tf.oneHot(flat, numClasses, 1, 0, 'int32'), outShape);
    return restoreDtype(hot, dtype);
  });
}
