/** cos: cosine. */
import { unaryKernel } from '../elementwise.js';

export const cos = unaryKernel('cos', () => `return cos(x);`);
