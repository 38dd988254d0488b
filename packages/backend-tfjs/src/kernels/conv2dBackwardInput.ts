/**
 * Gradient of conv2d w.r.t. its input: native Conv2DBackpropInput (tf.conv2dTranspose) per group,
 * with explicit padding; dilation is applied by dilating the filter explicitly (tfjs's op takes no
 * dilation). The transposed conv covers the padded extent [.., (Ho-1)*s + dk, ..]; rows/cols of x
 * that no window reached (floor in the output size) get zero gradient via a final pad.
 */
import type { Conv2dParams, Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, run, view, type Ref } from '../util.js';
import { dilateFilter, sliceAxis, toHWIO, toNCHW, toNHWC } from './convUtil.js';

export function conv2dBackwardInput(dy: Ref, weight: Ref, xShape: Shape, params: Conv2dParams): TfTensor {
  return run([dy, weight], () => {
    if (isEmpty(xShape) || isEmpty(dy.shape)) return filled(xShape, 'float32', 0);
    const [n, c, h, w] = xShape as [number, number, number, number];
    const [o, cg, kH, kW] = weight.shape as [number, number, number, number];
    const [, , ho, wo] = dy.shape as [number, number, number, number];
    const [sh, sw] = params.stride;
    const [ph, pw] = params.padding;
    const g = params.groups;
    const og = o / g;
    const f = dilateFilter(toHWIO(view(weight)), params.dilation); // [dkH, dkW, C/g, O]
    const dkH = (kH - 1) * params.dilation[0] + 1;
    const dkW = (kW - 1) * params.dilation[1] + 1;
    // Extent of the padded input the windows touch; the rest of x gets zero gradient.
    const usedH = (ho - 1) * sh + dkH;
    const usedW = (wo - 1) * sw + dkW;
    const dyN = toNHWC(view(dy));
    const parts: TfTensor[] = [];
    for (let k = 0; k < g; k++) {
      const dyg = g === 1 ? dyN : sliceAxis(dyN, 3, k * og, og);
      const fg = g === 1 ? f : sliceAxis(f, 3, k * og, og);
      parts.push(tf.conv2dTranspose(dyg as tf.Tensor4D, fg as tf.Tensor4D, [n, usedH, usedW, cg], [sh, sw], 'valid'));
    }
    const dxPadded = g === 1 ? parts[0]! : tf.concat(parts, 3); // [N, usedH, usedW, C]
    // Map the padded extent back onto x: drop the leading padding, zero-fill what the windows missed.
    const top = Math.min(ph, usedH);
    const left = Math.min(pw, usedW);
    const keepH = Math.max(0, Math.min(usedH - ph, h));
    const keepW = Math.max(0, Math.min(usedW - pw, w));
    let dx = tf.slice(dxPadded, [0, top, left, 0], [n, keepH, keepW, c]);
    if (keepH < h || keepW < w)
      dx = tf.pad(dx, [
        [0, 0],
        [0, h - keepH],
        [0, w - keepW],
        [0, 0],
      ]);
    return toNCHW(dx);
  });
}
