/** square: x * x (int32 wraps). */
import { unaryKernel } from '../elementwise.js';

export const square = unaryKernel('square', () => 'return x * x;');
