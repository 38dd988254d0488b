/**
 * torch.gather along `axis`: composed as flat offsets (tf ops) + native GatherV2 on the flattened
 * input. tfjs's own tf.gather takes whole slices, not per-element indices.
 */
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, restoreDtype, run, view, asLayoutDtype, type Ref } from '../util.js';
import { flatOffsets } from './flatIndex.js';

export function gather(x: Ref, axis: number, index: Ref): TfTensor {
  return run([x, index], () => {
    if (isEmpty(index.shape)) return filled(index.shape, x.dtype, 0);
    const offsets = flatOffsets(view(index), index.shape, x.shape, axis);
    const flat = tf.reshape(asLayoutDtype(view(x)), [-1]);
    return restoreDtype(tf.gather(flat, offsets), x.dtype);
  });
}
