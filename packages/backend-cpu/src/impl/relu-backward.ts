/**
 * ReLU's gradient from its output (PyTorch's threshold_backward): y > 0 ? dy : 0, in one kernel.
 * With WebAssembly SIMD it is the mask and a bitselect (elementwise-wasm.ts), 2.7x faster than the
 * scalar loop on LeNet's 64x6x28x28, which branches on a random mask; the loop is the fallback.
 */
import { release, take, takeF32 } from './buffers.js';
import { gtScalarF32Simd, whereF32Simd } from './elementwise-wasm.js';

const ZERO = new Float32Array(1);

export function reluBackward(dy: Float32Array, y: Float32Array): Float32Array {
  const n = y.length;
  const out = takeF32(n);
  const mask = take('bool', n) as Uint8Array;
  const simd = gtScalarF32Simd(y, 0, mask) && whereF32Simd(mask, dy, ZERO, out);
  release(mask);
  if (simd) return out;
  for (let i = 0; i < n; i++) out[i] = y[i]! > 0 ? dy[i]! : 0;
  return out;
}
