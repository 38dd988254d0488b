/**
 * pow: a ** b with NumPy broadcasting (native Pow). C's pow(1, y) is 1 even for y = NaN, and
 * pow(-1, ±inf) is 1 (torch follows C); tfjs's cpu engine uses JS Math.pow, which returns NaN for
 * both, so those are patched to 1.
 */
import type { Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, run, view, type Ref } from '../util.js';

export function pow(a: Ref, b: Ref, outShape: Shape): TfTensor {
  return run([a, b], () => {
    if (isEmpty(outShape)) return filled(outShape, a.dtype, 0);
    const ta = view(a);
    const tb = view(b);
    const p = tf.pow(ta, tb);
    if (p.dtype !== 'float32') return p;
    const one = tf.scalar(1);
    const minusOneToInf = tf.logicalAnd(tf.equal(ta, tf.scalar(-1)), tf.equal(tf.abs(tb), tf.scalar(Infinity)));
    return tf.where(tf.logicalOr(tf.equal(ta, one), minusOneToInf), tf.onesLike(p), p);
  });
}
