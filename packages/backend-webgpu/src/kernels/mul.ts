/** mul: x * y (int32 wraps, as Math.imul) with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const mul = binaryKernel('mul', () => 'return x * y;');
