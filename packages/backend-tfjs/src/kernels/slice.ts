/**
 * slice with steps: out[i] = x[begin + i*step]. float32 uses native StridedSlice; int32 and bool use
 * Slice (the bounding box) plus a Gather per stepped axis, because tfjs-wasm 4.22's StridedSlice
 * returns float32 garbage for int32/bool inputs (measured).
 */
import type { Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, iota, isEmpty, restoreDtype, run, view, type Ref } from '../util.js';

export function slice(x: Ref, begin: readonly number[], step: readonly number[], outShape: Shape): TfTensor {
  return run([x], () => {
    if (isEmpty(outShape)) return filled(outShape, x.dtype, 0);
    const t = view(x);
    if (t.dtype === 'float32') {
      const end = begin.map((b, i) => b + (outShape[i]! - 1) * step[i]! + 1);
      return tf.stridedSlice(t, [...begin], end, [...step]);
    }
    const size = begin.map((_, i) => (outShape[i]! - 1) * step[i]! + 1);
    let r = tf.slice(t.dtype === 'bool' ? tf.cast(t, 'int32') : t, [...begin], size);
    for (let i = 0; i < step.length; i++) {
      if (step[i]! > 1 && outShape[i]! > 1) r = tf.gather(r, iota(outShape[i]!, step[i]!), i);
    }
    return restoreDtype(r, x.dtype);
  });
}
