/** min over axes (native Min, NaN propagates). Core never calls it on an empty reduction. */
import type { TfTensor } from '../tf.js';
import { tf } from '../tf.js';
import { run, type Ref } from '../util.js';
import { reduce } from './reduceUtil.js';

export function min(x: Ref, axes: readonly number[]): TfTensor {
  return run([x], () => reduce(x, axes, (t, a) => tf.min(t, a), null, true));
}
