/** relu: max(0, x) (native Relu; NaN stays NaN on wasm and cpu, as in torch.relu). */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function relu(x: Ref): TfTensor {
  return run([x], () => tf.relu(view(x)));
}
