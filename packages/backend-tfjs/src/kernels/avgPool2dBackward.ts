/**
 * avgPool2d backward: every dy / divisor spreads over its window. Native Conv2DBackpropInput
 * (tf.conv2dTranspose) with a ones filter on the padded planes, then the padding is cut away.
 */
import type { Pool2dParams, Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, run, view, type Ref } from '../util.js';
import { dilateFilter } from './convUtil.js';
import { avgPoolDivisors, poolGeometry } from './poolUtil.js';

export function avgPool2dBackward(dy: Ref, xShape: Shape, params: Pool2dParams): TfTensor {
  return run([dy], () => {
    if (isEmpty(xShape) || isEmpty(dy.shape)) return filled(xShape, 'float32', 0);
    const [n, c, h, w] = xShape as [number, number, number, number];
    const [, , ho, wo] = dy.shape as [number, number, number, number];
    const g = poolGeometry(params, h, w, ho, wo);
    const divisors = tf.tensor(avgPoolDivisors(params, h, w, ho, wo), [1, ho, wo, 1]);
    const scaled = tf.div(tf.reshape(view(dy), [n * c, ho, wo, 1]), divisors);
    const ones = dilateFilter(tf.ones([g.kH, g.kW, 1, 1]), [g.dh, g.dw]);
    const usedH = (ho - 1) * g.sh + (g.kH - 1) * g.dh + 1;
    const usedW = (wo - 1) * g.sw + (g.kW - 1) * g.dw + 1;
    const spread = tf.conv2dTranspose(
      scaled as tf.Tensor4D,
      ones as tf.Tensor4D,
      [n * c, usedH, usedW, 1],
      [g.sh, g.sw],
      'valid',
    );
    // Padded coordinates -> input coordinates; positions no window reached get zero.
    const keepH = Math.max(0, Math.min(usedH - g.ph, h));
    const keepW = Math.max(0, Math.min(usedW - g.pw, w));
    let dx = tf.slice(spread, [0, Math.min(g.ph, usedH), Math.min(g.pw, usedW), 0], [n * c, keepH, keepW, 1]);
    if (keepH < h || keepW < w)
      dx = tf.pad(dx, [
        [0, 0],
        [0, h - keepH],
        [0, w - keepW],
        [0, 0],
      ]);
    return tf.reshape(dx, [...xShape]);
  });
}
