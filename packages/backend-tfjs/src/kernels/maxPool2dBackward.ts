/**
 * maxPool2d backward: every dy lands, summed, at its PyTorch index within its plane. Native
 * ScatterNd (sums duplicates) on flat offsets plane * H*W + index.
 */
import type { Shape } from '@flint/core/backend';
import { sizeOf } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, iota, isEmpty, run, view, type Ref } from '../util.js';

export function maxPool2dBackward(dy: Ref, indices: Ref, xShape: Shape): TfTensor {
  return run([dy, indices], () => {
    if (isEmpty(xShape) || isEmpty(dy.shape)) return filled(xShape, 'float32', 0);
    const [n, c, h, w] = xShape as [number, number, number, number];
    const planes = n * c;
    const perPlane = sizeOf(dy.shape) / planes;
    const idx = tf.reshape(view(indices), [planes, perPlane]);
    const offsets = tf.add(idx, tf.reshape(iota(planes, h * w), [planes, 1]));
    const scattered = tf.scatterND(tf.reshape(offsets, [-1, 1]), tf.reshape(view(dy), [-1]), [planes * h * w]);
    return tf.reshape(scattered, [...xShape]);
  });
}
