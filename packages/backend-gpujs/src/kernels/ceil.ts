/** ceil: ceil. */
import { unaryKernel } from '../elementwise.js';

export const ceil = unaryKernel('ceil', `return Math.ceil(x);`);
