/** erf: Error function (tfjs's rational approximation, |error| < 2e-7). Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function erf(x: Ref): TfTensor {
  return run([x], () => tf.erf(view(x)));
}
