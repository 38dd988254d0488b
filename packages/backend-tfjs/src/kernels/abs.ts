/** abs: Absolute value (float32 and int32). Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function abs(x: Ref): TfTensor {
  return run([x], () => tf.abs(view(x)));
}
