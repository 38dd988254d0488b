/** Shared by the conv kernels: NCHW <-> NHWC, filter layouts, explicit dilation, grouped splits. */
import { tf, type TfTensor } from '../tf.js';

export type Pair = readonly [number, number];
type Explicit = [[number, number], [number, number], [number, number], [number, number]];

export const toNHWC = (t: TfTensor): TfTensor => tf.transpose(t, [0, 2, 3, 1]);
export const toNCHW = (t: TfTensor): TfTensor => tf.transpose(t, [0, 3, 1, 2]);
/** PyTorch weight [O, I, kH, kW] -> tfjs filter [kH, kW, I, O]. */
export const toHWIO = (w: TfTensor): TfTensor => tf.transpose(w, [2, 3, 1, 0]);

/** tfjs explicit padding for NHWC. */
export function explicitPad(padding: Pair, extraAfter: Pair = [0, 0]): Explicit {
  return [
    [0, 0],
    [padding[0], padding[0] + extraAfter[0]],
    [padding[1], padding[1] + extraAfter[1]],
    [0, 0],
  ];
}

/**
 * Insert (d-1) zeros between taps of a [kH, kW, I, O] filter, so that a dilated convolution can run
 * as an undilated one (tfjs refuses strides > 1 together with dilations > 1, and its backprop ops
 * take no dilation). Built from reshape + pad + slice.
 */
export function dilateFilter(f: TfTensor, dilation: Pair): TfTensor {
  const [dh, dw] = dilation;
  if (dh === 1 && dw === 1) return f;
  const [kH, kW, i, o] = f.shape as [number, number, number, number];
  const spread = tf.pad(tf.reshape(f, [kH, 1, kW, 1, i, o]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const flat = tf.reshape(spread, [kH * dh, kW * dw, i, o]);
  return tf.slice(flat, [0, 0, 0, 0], [(kH - 1) * dh + 1, (kW - 1) * dw + 1, i, o]);
}

/**
 * NHWC conv2d with explicit padding, any stride and dilation: native Conv2D, with the filter
 * dilated explicitly when both stride and dilation exceed 1.
 */
export function conv2dNHWC(x: TfTensor, filter: TfTensor, stride: Pair, padding: Explicit, dilation: Pair): TfTensor {
  const both = (stride[0] > 1 || stride[1] > 1) && (dilation[0] > 1 || dilation[1] > 1);
  const f = both ? dilateFilter(filter, dilation) : filter;
  const d: [number, number] = both ? [1, 1] : [dilation[0], dilation[1]];
  return tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, [stride[0], stride[1]], padding, 'NHWC', d);
}

/** Channel slice [from, from + count) of an NCHW (axis 1) or HWIO (axis 2/3) tensor. */
export function sliceAxis(t: TfTensor, axis: number, from: number, count: number): TfTensor {
  const begin = t.shape.map((_, i) => (i === axis ? from : 0));
  const size = t.shape.map((d, i) => (i === axis ? count : d));
  return tf.slice(t, begin, size);
}
