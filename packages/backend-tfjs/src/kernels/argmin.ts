/** argmin along one axis (native ArgMin; first occurrence on ties; NaN patched to win as in torch). */
import { tf, type TfTensor } from '../tf.js';
import { run, type Ref } from '../util.js';
import { argReduce } from './argReduceUtil.js';

export function argmin(x: Ref, axis: number): TfTensor {
  return run([x], () => argReduce(x, axis, (t, a) => tf.argMin(t, a)));
}
