/** expand: broadcast to outShape (tf.broadcastTo, which runs the Tile kernel; bool moved as int32). */
import type { Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { asLayoutDtype, filled, isEmpty, restoreDtype, run, view, type Ref } from '../util.js';

export function expand(x: Ref, outShape: Shape): TfTensor {
  return run([x], () => {
    if (isEmpty(outShape)) return filled(outShape, x.dtype, 0);
    let t = asLayoutDtype(view(x));
    const lead = outShape.length - x.shape.length;
    if (lead > 0) t = tf.reshape(t, [...new Array<number>(lead).fill(1), ...x.shape]);
    return restoreDtype(tf.broadcastTo(t, outShape as number[]), x.dtype);
  });
}
