/** Shared by argmax/argmin: first occurrence on ties; a NaN wins (torch treats NaN as the extreme). */
import { tf, type TfTensor } from '../tf.js';
import { filled, view, type Ref } from '../util.js';

export function argReduce(x: Ref, axis: number, op: (t: TfTensor, axis: number) => TfTensor): TfTensor {
  const outShape = x.shape.filter((_, i) => i !== axis);
  if (outShape.some((d) => d === 0)) return filled(outShape, 'int32', 0);
  let t = view(x);
  if (t.dtype === 'bool') t = tf.cast(t, 'int32');
  const idx = tf.reshape(op(t, axis), outShape);
  if (t.dtype !== 'float32') return idx;
  // tfjs's ArgMax/ArgMin skip NaN; torch returns the first NaN's index.
  const nan = tf.cast(tf.isNaN(t), 'int32');
  const firstNan = tf.reshape(tf.argMax(nan, axis), outShape);
  const anyNan = tf.reshape(tf.greater(tf.max(nan, axis), tf.scalar(0, 'int32')), outShape);
  return tf.where(anyNan, firstNan, idx);
}
