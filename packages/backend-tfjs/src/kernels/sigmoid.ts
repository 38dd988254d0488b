/** sigmoid: Logistic sigmoid. Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function sigmoid(x: Ref): TfTensor {
  return run([x], () => tf.sigmoid(view(x)));
}
