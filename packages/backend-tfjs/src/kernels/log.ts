/** log: Natural logarithm (log(0) = -Infinity, log(<0) = NaN). Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function log(x: Ref): TfTensor {
  return run([x], () => tf.log(view(x)));
}
