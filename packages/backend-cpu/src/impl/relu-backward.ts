/**
 * ReLU's gradient from its output (PyTorch's threshold_backward): y > 0 ? dy : 0, in one kernel.
 * With WebAssembly SIMD it is one pass of compare and mask (elementwise-wasm.ts; 1.4x the earlier
 * gt + where pair, which was 2.7x the scalar loop on LeNet's 64x6x28x28: the loop branches on a
 * random mask); the loop is the fallback.
 */
import { takeF32 } from './buffers.js';
import { reluBackwardF32Simd } from './elementwise-wasm.js';

export function reluBackward(dy: Float32Array, y: Float32Array): Float32Array {
  const n = y.length;
  const out = takeF32(n);
  if (reluBackwardF32Simd(dy, y, out)) return out;
  for (let i = 0; i < n; i++) out[i] = y[i]! > 0 ? dy[i]! : 0;
  return out;
}
