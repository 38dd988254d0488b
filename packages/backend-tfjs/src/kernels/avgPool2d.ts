/**
 * avgPool2d with PyTorch semantics (explicit zero padding, ceil_mode, countIncludePad,
 * divisorOverride). Window sums come from native AvgPool on the zero-padded planes (times kH*kW;
 * with dilation, and on the wasm engine, from a Conv2D with a ones filter), divided by PyTorch's
 * per-window divisor.
 */
import type { Pool2dParams, Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, run, view, type Ref } from '../util.js';
import { conv2dNHWC } from './convUtil.js';
import { avgPoolDivisors, poolGeometry } from './poolUtil.js';

export function avgPool2d(x: Ref, params: Pool2dParams, outShape: Shape): TfTensor {
  return run([x], () => {
    if (isEmpty(outShape)) return filled(outShape, 'float32', 0);
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const [, , ho, wo] = outShape as [number, number, number, number];
    const g = poolGeometry(params, h, w, ho, wo);
    const planes = tf.reshape(view(x), [n * c, h, w, 1]);
    const padded = tf.pad(planes, [
      [0, 0],
      [g.ph, g.ph + g.extraH],
      [g.pw, g.pw + g.extraW],
      [0, 0],
    ]);
    let sums: TfTensor;
    // wasm's native AvgPool (XNNPACK) returns -inf for a window holding NaN (or +inf and -inf),
    // where PyTorch gives NaN: the ones-filter Conv2D keeps NaN, so wasm sums with it
    if (g.dh === 1 && g.dw === 1 && tf.getBackend() !== 'wasm') {
      const mean = tf.avgPool(padded as tf.Tensor4D, [g.kH, g.kW], [g.sh, g.sw], 'valid');
      sums = tf.mul(mean, tf.scalar(g.kH * g.kW));
    } else {
      const ones = tf.ones([g.kH, g.kW, 1, 1]);
      sums = conv2dNHWC(
        padded,
        ones,
        [g.sh, g.sw],
        [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        [g.dh, g.dw],
      );
    }
    const divisors = tf.tensor(avgPoolDivisors(params, h, w, ho, wo), [1, ho, wo, 1]);
    return tf.reshape(tf.div(sums, divisors), [...outShape]);
  });
}
