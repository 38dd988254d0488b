/** floor: Round toward -Infinity. Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function floor(x: Ref): TfTensor {
  return run([x], () => tf.floor(view(x)));
}
