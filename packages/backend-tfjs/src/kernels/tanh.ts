/** tanh: Hyperbolic tangent. Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function tanh(x: Ref): TfTensor {
  return run([x], () => tf.tanh(view(x)));
}
