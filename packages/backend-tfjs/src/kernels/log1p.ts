/**
 * log(1 + x), accurate for tiny x. Composed: wasm's Log1p computes log(1 + x) in float32 and returns
 * 0 for |x| < 6e-8. Uses the classic correction log(u) * x / (u - 1) with u = 1 + x (Goldberg), which
 * is exact to float32 rounding on every engine; where u == 1 the answer is x itself.
 */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function log1p(x: Ref): TfTensor {
  return run([x], () => {
    const t = view(x);
    const one = tf.scalar(1);
    const u = tf.add(t, one);
    const d = tf.sub(u, one);
    const corrected = tf.div(tf.mul(tf.log(u), t), d);
    // u == 1: x is below float32 resolution around 1, log1p(x) = x. u == inf: log(inf) = inf.
    const special = tf.logicalOr(tf.equal(d, tf.scalar(0)), tf.isInf(u));
    return tf.where(special, tf.where(tf.equal(d, tf.scalar(0)), t, tf.log(u)), corrected);
  });
}
