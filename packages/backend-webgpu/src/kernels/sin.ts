/** sin: sine. */
import { unaryKernel } from '../elementwise.js';

export const sin = unaryKernel('sin', () => `return sin(x);`);
