/** div: a / b (float32), with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const div = binaryKernel('div', `return x / y;`);
