/** square: x * x (float32 and int32). Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function square(x: Ref): TfTensor {
  return run([x], () => tf.square(view(x)));
}
