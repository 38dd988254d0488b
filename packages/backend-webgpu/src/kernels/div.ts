/** div: x / y in float32 (core never divides int32) with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const div = binaryKernel('div', () => 'return x / y;');
