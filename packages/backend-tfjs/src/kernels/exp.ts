/** exp: e^x. Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function exp(x: Ref): TfTensor {
  return run([x], () => tf.exp(view(x)));
}
