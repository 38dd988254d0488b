/** concat along an axis (native Concat; empty inputs are dropped; bool moved as int32). */
import type { Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { asLayoutDtype, filled, isEmpty, restoreDtype, run, view, type Ref } from '../util.js';

export function concat(xs: readonly Ref[], axis: number, outShape: Shape): TfTensor {
  return run(xs, () => {
    const dtype = xs[0]?.dtype ?? 'float32';
    if (isEmpty(outShape)) return filled(outShape, dtype, 0);
    const parts = xs.filter((r) => !isEmpty(r.shape)).map((r) => asLayoutDtype(view(r)));
    const out = parts.length === 1 ? tf.clone(parts[0]!) : tf.concat(parts, axis);
    return restoreDtype(out, dtype);
  });
}
