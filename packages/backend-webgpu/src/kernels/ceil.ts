/** ceil: round toward +Infinity. */
import { unaryKernel } from '../elementwise.js';

export const ceil = unaryKernel('ceil', () => `return ceil(x);`);
