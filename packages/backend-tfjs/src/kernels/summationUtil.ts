/**
 * Accurate float32 summation with tfjs ops. tfjs-wasm 4.22's Sum adds sequentially in float32, so
 * its error grows with the length of the sum: the sum of 1e6 copies of 0.3 came out 1.5e-3 low, the
 * mean of 131,072 copies 1.3e-3 high (measured, bench/reduction-precision.ts). Here a long sum runs
 * in stages of SUM_BLOCK elements (reshape to [outer, n / 4, 4], Sum over the 4, repeat), a 4-ary
 * pairwise tree: every partial sum adds few numbers of similar size, so the error grows with
 * log4(n) instead of n. Worst case measured on wasm over 160 constants and uniform data of 1.3e5 to
 * 4e6 elements: 1.0e-7 (blocks of 8: 2.3e-7, of 16: 5.1e-7, of 2: 8.4e-8 at 2.5x the time).
 * Everything stays on the device; no readback.
 *
 * tfjs's cpu engine is left alone: its Sum accumulates in a float64 JS number and rounds once, which
 * is more accurate than any staged float32 sum (`precision.cpu.test.ts` checks that it still does).
 */
import { tf, type TfTensor } from '../tf.js';
import { currentEngine } from '../util.js';

/** Elements added by one Sum in a stage. */
const SUM_BLOCK = 4;
/** Sums this short stay one native Sum (worst measured error at 64: 4.2e-7), as in training's batch sums. */
const SUM_DIRECT_MAX = 64;

/** Whether the running engine's own Sum is accurate for any length (it accumulates in float64). */
export function nativeSumIsWide(): boolean {
  return currentEngine() === 'cpu';
}

/** Sum of `t` over `axes` (dropped from the shape), staged for float32 where the engine needs it. */
export function accurateSum(t: TfTensor, axes: readonly number[]): TfTensor {
  const reduced = [...axes].sort((a, b) => a - b);
  const n = reduced.reduce((p, a) => p * t.shape[a]!, 1);
  if (t.dtype !== 'float32' || n <= SUM_DIRECT_MAX || nativeSumIsWide()) return tf.sum(t, reduced);
  const kept = t.shape.map((_, i) => i).filter((i) => !reduced.includes(i));
  const outShape = kept.map((i) => t.shape[i]!);
  const outer = outShape.reduce((p, d) => p * d, 1);
  const innermost = reduced.every((a, i) => a === t.rank - reduced.length + i);
  let x = tf.reshape(innermost ? t : tf.transpose(t, [...kept, ...reduced]), [outer, n]);
  let length = n;
  while (length > SUM_BLOCK) {
    const blocks = Math.ceil(length / SUM_BLOCK);
    // Zero padding changes no sum; it costs one copy when the length is not a multiple of the block.
    if (blocks * SUM_BLOCK !== length)
      x = tf.pad(x, [
        [0, 0],
        [0, blocks * SUM_BLOCK - length],
      ]);
    x = tf.sum(tf.reshape(x, [outer, blocks, SUM_BLOCK]), 2);
    length = blocks;
  }
  return tf.reshape(tf.sum(x, 1), outShape);
}
