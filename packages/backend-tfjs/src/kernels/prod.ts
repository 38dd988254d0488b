/** prod over axes (native Prod); an empty reduction is 1. */
import type { TfTensor } from '../tf.js';
import { tf } from '../tf.js';
import { run, type Ref } from '../util.js';
import { reduce } from './reduceUtil.js';

export function prod(x: Ref, axes: readonly number[]): TfTensor {
  return run([x], () => reduce(x, axes, (t, a) => tf.prod(t, a), 1, false));
}
