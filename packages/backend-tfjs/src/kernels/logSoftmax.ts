/**
 * logSoftmax along one axis, composed (no LogSoftmax kernel on wasm or cpu): s = x - max;
 * s - log(sum(exp(s))), the sum staged when the axis is long (summationUtil.ts).
 */
import { tf, type TfTensor } from '../tf.js';
import { isEmpty, run, view, type Ref } from '../util.js';
import { accurateSum } from './summationUtil.js';

export function logSoftmax(x: Ref, axis: number): TfTensor {
  return run([x], () => {
    const t = view(x);
    if (isEmpty(x.shape)) return tf.clone(t);
    const shifted = tf.sub(t, tf.max(t, axis, true));
    const kept = x.shape.map((d, i) => (i === axis ? 1 : d));
    return tf.sub(shifted, tf.log(tf.reshape(accurateSum(tf.exp(shifted), [axis]), kept)));
  });
}
