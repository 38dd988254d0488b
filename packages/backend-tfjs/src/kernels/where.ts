/** where(cond, a, b) with broadcasting (native Select; bool operands moved as int32: wasm's Select crashes on them). */
import type { Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { asLayoutDtype, filled, isEmpty, restoreDtype, run, view, type Ref } from '../util.js';

export function where(cond: Ref, a: Ref, b: Ref, outShape: Shape): TfTensor {
  return run([cond, a, b], () => {
    if (isEmpty(outShape)) return filled(outShape, a.dtype, 0);
    const out = tf.where(view(cond), asLayoutDtype(view(a)), asLayoutDtype(view(b)));
    const shaped = out.shape.length === outShape.length ? out : tf.broadcastTo(out, outShape as number[]);
    return restoreDtype(shaped, a.dtype);
  });
}
