/**
 * conv2d, NCHW in and out, PyTorch weight layout, explicit padding, stride, dilation and groups.
 * Native Conv2D on NHWC (tfjs's layout): groups == 1 is one Conv2D; depthwise (groups == C) is one
 * DepthwiseConv2dNative; other groups run one Conv2D per group and concatenate.
 */
import type { Conv2dParams, Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, run, view, type Ref } from '../util.js';
import { conv2dNHWC, explicitPad, sliceAxis, toHWIO, toNCHW, toNHWC } from './convUtil.js';

export function conv2d(x: Ref, weight: Ref, params: Conv2dParams, outShape: Shape): TfTensor {
  return run([x, weight], () => {
    if (isEmpty(outShape)) return filled(outShape, 'float32', 0);
    const [, c] = x.shape as [number, number, number, number];
    const [o, cg] = weight.shape as [number, number, number, number];
    if (cg === 0) return filled(outShape, 'float32', 0);
    const g = params.groups;
    const xN = toNHWC(view(x));
    const f = toHWIO(view(weight)); // [kH, kW, C/g, O]
    const pad = explicitPad(params.padding);
    let y: TfTensor;
    if (g === 1) {
      y = conv2dNHWC(xN, f, params.stride, pad, params.dilation);
    } else if (g === c && cg === 1 && !stridedAndDilated(params)) {
      // Depthwise: output channel c*mult + m reads input channel c, as PyTorch's groups == C.
      const [kH, kW] = [f.shape[0]!, f.shape[1]!];
      const dw = tf.reshape(f, [kH, kW, c, o / c]) as tf.Tensor4D;
      y = tf.depthwiseConv2d(xN as tf.Tensor4D, dw, [params.stride[0], params.stride[1]], pad, 'NHWC', [
        params.dilation[0],
        params.dilation[1],
      ]);
    } else {
      const og = o / g;
      const parts: TfTensor[] = [];
      for (let k = 0; k < g; k++) {
        const xg = sliceAxis(xN, 3, k * cg, cg);
        const fg = sliceAxis(f, 3, k * og, og);
        parts.push(conv2dNHWC(xg, fg, params.stride, pad, params.dilation));
      }
      y = tf.concat(parts, 3);
    }
    return toNCHW(y);
  });
}

function stridedAndDilated(p: Conv2dParams): boolean {
  return (p.stride[0] > 1 || p.stride[1] > 1) && (p.dilation[0] > 1 || p.dilation[1] > 1);
}
