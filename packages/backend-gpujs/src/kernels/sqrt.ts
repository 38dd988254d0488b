/** sqrt: square root. */
import { unaryKernel } from '../elementwise.js';

export const sqrt = unaryKernel('sqrt', `return Math.sqrt(x);`);
