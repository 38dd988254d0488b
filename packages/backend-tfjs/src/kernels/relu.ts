/** relu: max(0, x); NaN stays NaN as in torch.relu. Native Relu, with NaN patched in. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function relu(x: Ref): TfTensor {
  return run([x], () => {
    const t = view(x);
    if (t.dtype !== 'float32') return tf.relu(t);
    return tf.where(tf.isNaN(t), t, tf.relu(t));
  });
}
