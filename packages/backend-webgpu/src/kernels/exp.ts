/** exp: e^x. */
import { unaryKernel } from '../elementwise.js';

export const exp = unaryKernel('exp', () => `return exp(x);`);
