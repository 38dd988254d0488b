/** sin: Sine. Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function sin(x: Ref): TfTensor {
  return run([x], () => tf.sin(view(x)));
}
