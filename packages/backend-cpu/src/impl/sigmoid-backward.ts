/** Sigmoid's gradient from its output, dy * y * (1 - y), rounded per step as core's composite rule. */
import { takeF32 } from './buffers.js';

const f = Math.fround;

export function sigmoidBackward(dy: Float32Array, y: Float32Array): Float32Array {
  const n = y.length;
  const out = takeF32(n);
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    out[i] = dy[i]! * f(v * f(1 - v));
  }
  return out;
}
