/** softmax along one axis (native Softmax, which works on the last axis: other axes are permuted there and back). */
import { tf, type TfTensor } from '../tf.js';
import { isEmpty, run, view, type Ref } from '../util.js';

export function softmax(x: Ref, axis: number): TfTensor {
  return run([x], () => {
    const t = view(x);
    if (isEmpty(x.shape)) return tf.clone(t);
    const last = x.shape.length - 1;
    if (axis === last) return tf.softmax(t, -1);
    const perm = x.shape.map((_, i) => i);
    perm[axis] = last;
    perm[last] = axis;
    return tf.transpose(tf.softmax(tf.transpose(t, perm), -1), perm);
  });
}
