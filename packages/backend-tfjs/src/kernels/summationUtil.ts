/**
 * Accurate float32 summation with tfjs ops. tfjs-wasm 4.22's Sum adds sequentially in float32, so
 * its error grows with the length of the sum: the sum of 1e6 copies of 0.3 came out 1.5e-3 low, the
 * mean of 131,072 copies 1.3e-3 high (measured, bench/reduction-precision.ts). Here a long sum runs
 * in stages of SUM_BLOCK elements (reshape to [outer, n / 8, 8], Sum over the 8, repeat), an 8-ary
 * pairwise tree: every partial sum adds few numbers of similar size, so the error grows with
 * log8(n) instead of n. Worst case measured on wasm over 164 constants and 4 uniform inputs of
 * 1.3e5 to 4e6 elements: 2.0e-7 relative (blocks of 4: 9.3e-8, but with them the LeNet parity run
 * against @flint/backend-cpu left its 1e-4 band after step 33, blocks of 2, 8 and 16 stayed within
 * 2.5e-6: that run amplifies 1e-9 differences; the sums were checked against float64 there).
 * Everything stays on the device; no readback.
 *
 * tfjs's cpu engine is left alone: its Sum accumulates in a float64 JS number and rounds once, which
 * is more accurate than any staged float32 sum (`precision.cpu.test.ts` checks that it still does).
 */
import { tf, type TfTensor } from '../tf.js';
import { currentEngine } from '../util.js';

/** Elements added by one Sum in a stage. */
const SUM_BLOCK = 8;
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
