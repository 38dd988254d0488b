/** ReLU's gradient from its output (PyTorch's threshold_backward): y > 0 ? dy : 0, one pass. */
import { takeF32 } from './buffers.js';

export function reluBackward(dy: Float32Array, y: Float32Array): Float32Array {
  const n = y.length;
  const out = takeF32(n);
  for (let i = 0; i < n; i++) out[i] = y[i]! > 0 ? dy[i]! : 0;
  return out;
}
