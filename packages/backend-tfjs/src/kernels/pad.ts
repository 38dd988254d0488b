/** pad: constant padding (native PadV2; bool moved as int32). */
import { tf, type TfTensor } from '../tf.js';
import { asLayoutDtype, restoreDtype, run, view, type Ref } from '../util.js';

export function pad(x: Ref, pads: readonly (readonly [number, number])[], value: number): TfTensor {
  return run([x], () => {
    if (x.shape.length === 0) return tf.clone(view(x));
    const v = x.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
    const p = pads.map(([a, b]) => [a, b] as [number, number]);
    return restoreDtype(tf.pad(asLayoutDtype(view(x)), p, v), x.dtype);
  });
}
