/** round: Round half to even (tfjs's Round is banker's rounding, as torch.round). Native tfjs op. */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function round(x: Ref): TfTensor {
  return run([x], () => tf.round(view(x)));
}
