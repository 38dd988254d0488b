/** maximum: elementwise max, NumPy broadcasting, NaN propagates (native Maximum, NaN patched in for wasm). */
import type { Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, run, view, type Ref } from '../util.js';
import { propagateNaN } from './nanUtil.js';

export function maximum(a: Ref, b: Ref, outShape: Shape): TfTensor {
  return run([a, b], () => {
    if (isEmpty(outShape)) return filled(outShape, a.dtype, 0);
    const ta = view(a);
    const tb = view(b);
    return propagateNaN(ta, tb, tf.maximum(ta, tb));
  });
}
