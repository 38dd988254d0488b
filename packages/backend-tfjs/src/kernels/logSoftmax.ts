/** logSoftmax along one axis, composed (no LogSoftmax kernel on wasm or cpu): s = x - max; s - log(sum(exp(s))). */
import { tf, type TfTensor } from '../tf.js';
import { isEmpty, run, view, type Ref } from '../util.js';

export function logSoftmax(x: Ref, axis: number): TfTensor {
  return run([x], () => {
    const t = view(x);
    if (isEmpty(x.shape)) return tf.clone(t);
    const shifted = tf.sub(t, tf.max(t, axis, true));
    return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), axis, true)));
  });
}
