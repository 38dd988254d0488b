/**
 * Tanh's gradient from its output, dy * (1 - y * y), each step rounded to float32 as core's
 * composite rule rounds it. With WebAssembly SIMD it is three vector passes (elementwise-wasm.ts)
 * in one kernel, 2x faster than one scalar loop on 64x512 and up; the loop is the fallback.
 */
import { release, takeF32 } from './buffers.js';
import { binaryF32Simd } from './elementwise-wasm.js';

const f = Math.fround;
const ONE = new Float32Array([1]);

export function tanhBackward(dy: Float32Array, y: Float32Array): Float32Array {
  const n = y.length;
  const out = takeF32(n);
  const shape = [n];
  const t = takeF32(n);
  const simd =
    binaryF32Simd('mul', y, shape, y, shape, shape, t) &&
    binaryF32Simd('sub', ONE, [], t, shape, shape, t) &&
    binaryF32Simd('mul', dy, shape, t, shape, shape, out);
  release(t);
  if (simd) return out;
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    out[i] = dy[i]! * f(1 - f(v * v));
  }
  return out;
}
