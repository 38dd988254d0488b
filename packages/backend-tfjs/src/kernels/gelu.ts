/** Exact GELU: x * 0.5 * (1 + erf(x / sqrt 2)). Composed (tfjs has no GELU kernel). */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function gelu(x: Ref): TfTensor {
  return run([x], () => {
    const t = view(x);
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(t, tf.scalar(Math.SQRT1_2))), tf.scalar(1)), tf.scalar(0.5));
    return tf.mul(t, cdf);
  });
}
