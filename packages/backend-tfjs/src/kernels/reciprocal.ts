/** reciprocal: 1 / x. Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function reciprocal(x: Ref): TfTensor {
  return run([x], () => tf.reciprocal(view(x)));
}
