/** square: x * x. */
import { unaryKernel } from '../elementwise.js';

export const square = unaryKernel('square', `return x * x;`);
