/**
 * torch.scatter_add (out of place): x + ScatterNd(flat offsets, src). Native ScatterNd sums
 * duplicate indices (UnsortedSegmentSum, the usual tool, is missing on wasm). src may be larger
 * than index: only its leading index.shape block is used, as in torch.
 */
import { sizeOf } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { isEmpty, run, view, type Ref } from '../util.js';
import { flatOffsets } from './flatIndex.js';

export function scatterAdd(x: Ref, axis: number, index: Ref, src: Ref): TfTensor {
  return run([x, index, src], () => {
    const base = view(x);
    if (isEmpty(index.shape) || isEmpty(x.shape)) return tf.clone(base);
    const offsets = tf.reshape(flatOffsets(view(index), index.shape, x.shape, axis), [-1, 1]);
    let s = view(src);
    if (s.shape.some((d, i) => d !== index.shape[i]))
      s = tf.slice(
        s,
        index.shape.map(() => 0),
        [...index.shape],
      );
    const updates = tf.reshape(s, [-1]);
    const scattered = tf.scatterND(offsets, updates, [sizeOf(x.shape)]);
    return tf.add(base, tf.reshape(scattered, [...x.shape]));
  });
}
