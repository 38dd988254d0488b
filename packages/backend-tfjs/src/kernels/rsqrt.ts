/** rsqrt: 1 / sqrt(x). Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function rsqrt(x: Ref): TfTensor {
  return run([x], () => tf.rsqrt(view(x)));
}
