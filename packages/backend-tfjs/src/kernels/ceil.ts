/** ceil: Round toward +Infinity. Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function ceil(x: Ref): TfTensor {
  return run([x], () => tf.ceil(view(x)));
}
