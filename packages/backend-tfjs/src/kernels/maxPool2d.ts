/**
 * maxPool2d with PyTorch semantics (explicit padding counted as -Infinity, ceil_mode, dilation) and
 * PyTorch's int32 indices (flat h*W+w within the input plane). Composed: the input is padded with
 * -Infinity, each of the kH*kW window taps is a strided slice, and a running comparison keeps the
 * value and index exactly as PyTorch's CPU loop does (strictly greater wins, so the first maximum is
 * kept; a NaN always wins). tfjs's MaxPool pads with its own rule, has no dilation with strides and
 * no PyTorch-layout argmax (MaxPoolWithArgmax flattens over channels), so it is not used.
 */
import type { MaxPoolResult, Pool2dParams, Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { assertReady } from '../engine.js';
import { filled, isEmpty, view, type Ref } from '../util.js';
import { poolGeometry } from './poolUtil.js';

export function maxPool2d(x: Ref, params: Pool2dParams, outShape: Shape): MaxPoolResult<TfTensor> {
  assertReady();
  return tf.tidy(() => {
    if (isEmpty(outShape)) return { values: filled(outShape, 'float32', 0), indices: filled(outShape, 'int32', 0) };
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const [, , ho, wo] = outShape as [number, number, number, number];
    const g = poolGeometry(params, h, w, ho, wo);
    const planes = tf.reshape(view(x), [n * c, h, w]);
    const padded = tf.pad(
      planes,
      [
        [0, 0],
        [g.ph, g.ph + g.extraH],
        [g.pw, g.pw + g.extraW],
      ],
      -Infinity,
    );
    // PyTorch starts from -inf and the first in-bounds position of each window.
    const init = new Int32Array(ho * wo);
    for (let oy = 0; oy < ho; oy++) {
      let hs = oy * g.sh - g.ph;
      while (hs < 0) hs += g.dh;
      for (let ox = 0; ox < wo; ox++) {
        let ws = ox * g.sw - g.pw;
        while (ws < 0) ws += g.dw;
        init[oy * wo + ox] = hs * w + ws;
      }
    }
    let best: TfTensor = tf.fill([n * c, ho, wo], -Infinity);
    let bestIdx: TfTensor = tf.broadcastTo(tf.tensor(init, [1, ho, wo], 'int32'), [n * c, ho, wo]);
    const tapIdx = new Int32Array(ho * wo);
    for (let i = 0; i < g.kH; i++) {
      for (let j = 0; j < g.kW; j++) {
        const r0 = i * g.dh;
        const c0 = j * g.dw;
        const tap = tf.stridedSlice(
          padded,
          [0, r0, c0],
          [n * c, r0 + (ho - 1) * g.sh + 1, c0 + (wo - 1) * g.sw + 1],
          [1, g.sh, g.sw],
        );
        for (let oy = 0; oy < ho; oy++) {
          const row = oy * g.sh + r0 - g.ph;
          for (let ox = 0; ox < wo; ox++) tapIdx[oy * wo + ox] = row * w + (ox * g.sw + c0 - g.pw);
        }
        const take = tf.logicalOr(tf.greater(tap, best), tf.isNaN(tap));
        best = tf.where(take, tap, best);
        bestIdx = tf.where(take, tf.tensor(tapIdx, [1, ho, wo], 'int32'), bestIdx);
      }
    }
    return { values: tf.reshape(best, [...outShape]), indices: tf.reshape(bestIdx, [...outShape]) };
  });
}
