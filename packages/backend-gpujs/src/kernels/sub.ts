/** sub: a - b, with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const sub = binaryKernel('sub', `return x - y;`);
