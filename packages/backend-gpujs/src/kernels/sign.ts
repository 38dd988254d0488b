/** sign: sign(x): -1, 0 or 1 (NaN stays NaN). */
import { unaryKernel } from '../elementwise.js';

export const sign = unaryKernel('sign', `if (x > 0) { return 1; }
if (x < 0) { return -1; }
return x;`);
