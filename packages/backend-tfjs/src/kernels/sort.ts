/**
 * Stable sort along one axis, composed from tf.topk, which keeps the lower index first among equal
 * values (documented, and checked by the conformance cases). Descending is topk itself; ascending
 * is the reverse of a descending sort of the reversed line (ties come out in index order again, and
 * no key is negated, which wraps int32 on tfjs-wasm). topk has no NaN order, so NaNs get a finite
 * key and a second stable pass on the NaN flag moves them first, keeping each group's order.
 */
import type { SortResult } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { assertReady } from '../engine.js';
import { filled, isEmpty, iota, view, type Ref } from '../util.js';
import { linesOf, unlines } from './axisUtil.js';

/** A stable "largest first" permutation of each row of `key` [rows, n] (int32). */
function largestFirst(key: TfTensor): TfTensor {
  return tf.topk(key, key.shape[1]!, true).indices;
}

/** Row-wise gather: out[r, j] = t[r, order[r, j]] for [rows, n] tensors. */
function take(t: TfTensor, order: TfTensor): TfTensor {
  const [rows, n] = order.shape as [number, number];
  const offsets = tf.add(order, tf.reshape(iota(rows, n), [rows, 1]));
  return tf.reshape(tf.gather(tf.reshape(t, [-1]), tf.reshape(offsets, [-1])), [rows, n]);
}

/** Stable descending order of each row of `lines` [rows, n], NaN first. */
function descendingOrder(lines: TfTensor): TfTensor {
  if (lines.dtype !== 'float32') return largestFirst(lines);
  const nan = tf.isNaN(lines);
  const order = largestFirst(tf.where(nan, tf.zerosLike(lines), lines));
  const flag = tf.cast(take(nan, order), 'float32');
  return take(order, largestFirst(flag));
}

export function sort(x: Ref, axis: number, descending: boolean): SortResult<TfTensor> {
  assertReady();
  return tf.tidy(() => {
    if (isEmpty(x.shape)) return { values: filled(x.shape, x.dtype, 0), indices: filled(x.shape, 'int32', 0) };
    const { lines, perm, moved } = linesOf(view(x), axis);
    const n = lines.shape[1]!;
    let order: TfTensor;
    if (descending) order = descendingOrder(lines);
    else {
      // Position j of the reversed line is n - 1 - j of the line.
      const reversed = tf.reverse(descendingOrder(tf.reverse(lines, 1)), 1);
      order = tf.sub(tf.scalar(n - 1, 'int32'), reversed);
    }
    return { values: unlines(take(lines, order), perm, moved), indices: unlines(order, perm, moved) };
  });
}
