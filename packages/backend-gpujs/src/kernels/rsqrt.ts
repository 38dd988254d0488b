/** rsqrt: 1 / sqrt(x). */
import { unaryKernel } from '../elementwise.js';

export const rsqrt = unaryKernel('rsqrt', `return 1 / Math.sqrt(x);`);
