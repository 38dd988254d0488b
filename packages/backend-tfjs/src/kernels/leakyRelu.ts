/** leakyRelu: max(0,x) + slope * min(0,x). Native LeakyRelu (x < 0 ? slope * x : x, the same function). */
import { tf, type TfTensor } from '../tf.js';
import { run, view, type Ref } from '../util.js';

export function leakyRelu(x: Ref, negativeSlope: number): TfTensor {
  return run([x], () => tf.leakyRelu(view(x), negativeSlope));
}
