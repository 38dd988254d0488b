/** mul: a * b, NumPy broadcasting to outShape. Native tfjs op (tfjs broadcasts like NumPy). */
import type { Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, run, view, type Ref } from '../util.js';

export function mul(a: Ref, b: Ref, outShape: Shape): TfTensor {
  return run([a, b], () => {
    // tfjs-wasm mis-broadcasts zero-size operands (measured); an empty result needs no compute.
    if (isEmpty(outShape)) return filled(outShape, a.dtype, 0);
    return tf.mul(view(a), view(b));
  });
}
