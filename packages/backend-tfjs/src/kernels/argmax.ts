/** argmax along one axis (native ArgMax; first occurrence on ties; NaN patched to win as in torch). */
import { tf, type TfTensor } from '../tf.js';
import { run, type Ref } from '../util.js';
import { argReduce } from './argReduceUtil.js';

export function argmax(x: Ref, axis: number): TfTensor {
  return run([x], () => argReduce(x, axis, (t, a) => tf.argMax(t, a)));
}
