/** neg: Negation (float32 and int32). Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function neg(x: Ref): TfTensor {
  return run([x], () => tf.neg(view(x)));
}
