/** fill: a new tensor of `shape` holding `value` (tf.fill). */
import type { DType, Shape } from '@flint/core/backend';
import type { TfTensor } from '../tf.js';
import { assertReady } from '../engine.js';
import { filled } from '../util.js';

export function fill(shape: Shape, dtype: DType, value: number): TfTensor {
  assertReady();
  return filled(shape, dtype, value);
}
