/**
 * sum over axes: native Sum, staged for long float32 sums (summationUtil.ts). float32 stays
 * float32, int32 stays int32 (exact: no staging); an empty reduction is 0.
 */
import type { TfTensor } from '../tf.js';
import { run, type Ref } from '../util.js';
import { reduce } from './reduceUtil.js';
import { accurateSum } from './summationUtil.js';

export function sum(x: Ref, axes: readonly number[]): TfTensor {
  return run([x], () => reduce(x, axes, accurateSum, 0, false));
}
