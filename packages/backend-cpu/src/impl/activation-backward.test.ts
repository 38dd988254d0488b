/**
 * reluBackward, sigmoidBackward and tanhBackward: the WebAssembly SIMD path gives the scalar loop's
 * bits (and so core's composite rule's), across chunk boundaries and on the edge values.
 */
import { describe, expect, it } from 'vitest';
import { elementwiseSimdAvailable, setElementwiseSimd } from './elementwise-wasm.js';
import { reluBackward } from './relu-backward.js';
import { sigmoidBackward } from './sigmoid-backward.js';
import { tanhBackward } from './tanh-backward.js';

const EDGES = [0, -0, 1, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-30, -1e-30];

function inputs(n: number, lo: number, hi: number): [Float32Array, Float32Array] {
  let seed = n;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const y = new Float32Array(n).map((_, i) => (i < EDGES.length ? EDGES[i]! : lo + (hi - lo) * next()));
  const dy = new Float32Array(n).map((_, i) => (i < EDGES.length ? EDGES[EDGES.length - 1 - i]! : 4 * next() - 2));
  return [dy, y];
}

const bits = (a: Float32Array) => Array.from(new Int32Array(a.buffer, a.byteOffset, a.length));

describe.skipIf(!elementwiseSimdAvailable)('activation gradients: SIMD path vs the scalar loop', () => {
  const cases = [
    ['reluBackward', reluBackward, -1, 1],
    ['sigmoidBackward', sigmoidBackward, 0, 1],
    ['tanhBackward', tanhBackward, -1, 1],
  ] as const;
  it.each(cases)('%s', (_, kernel, lo, hi) => {
    for (const n of [300, 1000, 20000]) {
      const [dy, y] = inputs(n, lo, hi);
      const simd = kernel(dy, y);
      const previous = setElementwiseSimd(false);
      let scalar: Float32Array;
      try {
        scalar = kernel(dy, y);
      } finally {
        setElementwiseSimd(previous);
      }
      // NaN payloads may differ; everything else bit for bit.
      const [s, r] = [bits(simd), bits(scalar)];
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(simd[i]!)) expect(scalar[i]).toBeNaN();
        else expect(s[i], `${n} elements, index ${i}`).toBe(r[i]);
      }
    }
  });
});
