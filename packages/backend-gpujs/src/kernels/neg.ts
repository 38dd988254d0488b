/** neg: -x. */
import { unaryKernel } from '../elementwise.js';

export const neg = unaryKernel('neg', `return -x;`);
