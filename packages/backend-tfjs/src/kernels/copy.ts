/** copy: new storage with the same contents (tf.clone shares the data copy-on-never: tfjs data is immutable). */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function copy(x: Ref): TfTensor {
  return run([x], () => tf.clone(view(x)));
}
