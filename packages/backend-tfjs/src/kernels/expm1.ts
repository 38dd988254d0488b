/** expm1: exp(x) - 1 (native Expm1, accurate for small x on every engine). Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function expm1(x: Ref): TfTensor {
  return run([x], () => tf.expm1(view(x)));
}
