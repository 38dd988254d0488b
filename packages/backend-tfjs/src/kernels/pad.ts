/**
 * pad: constant padding (native PadV2; bool moved as int32) on the fewest axes that express it:
 * tfjs's wasm PadV2 returns garbage past rank 6 (rank 7 gave values like 3.6e-41 here).
 */
import { mergeUnpaddedAxes } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { asLayoutDtype, restoreDtype, run, view, type Ref } from '../util.js';

export function pad(x: Ref, pads: readonly (readonly [number, number])[], value: number): TfTensor {
  return run([x], () => {
    if (x.shape.length === 0) return tf.clone(view(x));
    const v = x.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
    const outShape = x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
    const merged = mergeUnpaddedAxes(x.shape, pads);
    const padded = tf.pad(tf.reshape(asLayoutDtype(view(x)), merged.shape), merged.pads, v);
    return restoreDtype(tf.reshape(padded, outShape), x.dtype);
  });
}
