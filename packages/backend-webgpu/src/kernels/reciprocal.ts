/** reciprocal: 1 / x. */
import { unaryKernel } from '../elementwise.js';

export const reciprocal = unaryKernel('reciprocal', () => `return 1.0 / x;`);
