/** Precision of long reductions on tfjs's cpu engine (one engine per vitest worker): see test-precision.ts. */
import { describe, expect, it } from 'vitest';
import { describePrecision } from './test-precision.js';
import { tf } from './tf.js';

describePrecision('cpu');

// summationUtil.ts leaves Sum native on this engine because it accumulates wider than float32:
// 2^24 + 1 + 1 is 2^24 in float32 (each 1 is lost), 2^24 + 2 in float64.
describe("tfjs's cpu engine: native Sum accumulates in float64", () => {
  it('sum([2^24, 1, 1]) = 2^24 + 2', async () => {
    await tf.ready();
    expect(tf.getBackend()).toBe('cpu');
    const s = tf.sum(tf.tensor1d([2 ** 24, 1, 1]));
    expect(s.dataSync()[0]).toBe(2 ** 24 + 2);
    s.dispose();
  });
});
