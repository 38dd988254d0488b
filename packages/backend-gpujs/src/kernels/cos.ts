/** cos: cosine. */
import { unaryKernel } from '../elementwise.js';

export const cos = unaryKernel('cos', `return Math.cos(x);`);
