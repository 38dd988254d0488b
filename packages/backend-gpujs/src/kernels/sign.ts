/** sign(x): -1, 0 or 1 (NaN gives 0, as torch). */
import { unaryKernel } from '../elementwise.js';

export const sign = unaryKernel('sign', `if (x > 0) { return 1; }\nif (x < 0) { return -1; }\nreturn 0;`);
