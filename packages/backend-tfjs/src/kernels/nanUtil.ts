/** NaN propagation for elementwise max/min: tfjs-wasm's Maximum/Minimum drop a NaN operand (measured). */
import { tf, type TfTensor } from '../tf.js';

export function propagateNaN(a: TfTensor, b: TfTensor, result: TfTensor): TfTensor {
  if (result.dtype !== 'float32') return result;
  return tf.where(tf.isNaN(a), tf.add(a, b), tf.where(tf.isNaN(b), tf.add(a, b), result));
}
