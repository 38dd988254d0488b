/** sqrt: Square root. Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function sqrt(x: Ref): TfTensor {
  return run([x], () => tf.sqrt(view(x)));
}
