/** cos: Cosine. Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function cos(x: Ref): TfTensor {
  return run([x], () => tf.cos(view(x)));
}
