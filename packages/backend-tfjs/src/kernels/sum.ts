/** sum over axes (native Sum). float32 stays float32, int32 stays int32; an empty reduction is 0. */
import type { TfTensor } from '../tf.js';
import { tf } from '../tf.js';
import { run, type Ref } from '../util.js';
import { reduce } from './reduceUtil.js';

export function sum(x: Ref, axes: readonly number[]): TfTensor {
  return run([x], () => reduce(x, axes, (t, a) => tf.sum(t, a), 0, false));
}
