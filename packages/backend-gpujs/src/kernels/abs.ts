/** abs: |x|. */
import { unaryKernel } from '../elementwise.js';

export const abs = unaryKernel('abs', `return Math.abs(x);`);
