/** mul: a * b, with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const mul = binaryKernel('mul', `return x * y;`);
