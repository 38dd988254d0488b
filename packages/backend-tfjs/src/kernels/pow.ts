/**
 * pow: a ** b with NumPy broadcasting (native Pow). C's pow(1, y) is 1 even for y = NaN (torch
 * follows C); tfjs's cpu engine uses JS Math.pow, which returns NaN, so base 1 is patched to 1.
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
    return tf.where(tf.equal(ta, one), tf.onesLike(p), p);
  });
}
