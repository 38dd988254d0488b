/** add: x + y (int32 wraps) with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const add = binaryKernel('add', () => 'return x + y;');
