/**
 * sign: (x > 0) - (x < 0), as torch computes it (NaN -> 0). Composed: tfjs-wasm's Sign returns 0
 * for subnormal inputs (measured), the comparisons do not. int32 uses native Sign.
 */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function sign(x: Ref): TfTensor {
  return run([x], () => {
    const t = view(x);
    if (t.dtype !== 'float32') return tf.sign(t);
    const zero = tf.scalar(0);
    return tf.sub(tf.cast(tf.greater(t, zero), 'float32'), tf.cast(tf.less(t, zero), 'float32'));
  });
}
