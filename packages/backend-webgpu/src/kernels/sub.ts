/** sub: x - y (int32 wraps) with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const sub = binaryKernel('sub', () => 'return x - y;');
