/** torch.index_select with a 1-D index: native GatherV2 along the axis (bool moved as int32). */
import { tf, type TfTensor } from '../tf.js';
import { asLayoutDtype, filled, isEmpty, restoreDtype, run, view, type Ref } from '../util.js';

export function indexSelect(x: Ref, axis: number, index: Ref): TfTensor {
  return run([x, index], () => {
    const outShape = x.shape.map((d, i) => (i === axis ? index.shape[0]! : d));
    if (isEmpty(outShape)) return filled(outShape, x.dtype, 0);
    return restoreDtype(tf.gather(asLayoutDtype(view(x)), tf.reshape(view(index), [-1]), axis), x.dtype);
  });
}
