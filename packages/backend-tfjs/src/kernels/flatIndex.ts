/** Flat element offsets for torch.gather / scatter_add, built from tf ops (no host round trip). */
import type { Shape } from '@flint/core/backend';
import { stridesOf } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { iota } from '../util.js';

/**
 * For every position p of `index` (shape I), the flat offset in x (shape xShape) of
 * x[p0, .., index[p] at `axis`, .., pn]: index * stride[axis] + sum_{j != axis} p_j * stride[j].
 */
export function flatOffsets(index: TfTensor, indexShape: Shape, xShape: Shape, axis: number): TfTensor {
  const strides = stridesOf(xShape);
  let offsets = tf.mul(index, tf.scalar(strides[axis]!, 'int32'));
  for (let j = 0; j < indexShape.length; j++) {
    if (j === axis || indexShape[j] === 1) continue;
    const shape = indexShape.map((d, k) => (k === j ? d : 1));
    offsets = tf.add(offsets, tf.reshape(iota(indexShape[j]!, strides[j]!), shape));
  }
  return offsets;
}
