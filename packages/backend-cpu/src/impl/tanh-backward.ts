/** Tanh's gradient from its output, dy * (1 - y^2), rounded per step as core's composite rule. */
import { takeF32 } from './buffers.js';

const f = Math.fround;

export function tanhBackward(dy: Float32Array, y: Float32Array): Float32Array {
  const n = y.length;
  const out = takeF32(n);
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    out[i] = dy[i]! * f(1 - f(v * v));
  }
  return out;
}
