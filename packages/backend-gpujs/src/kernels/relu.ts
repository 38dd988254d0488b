/** relu: max(0, x); NaN propagates. */
import { unaryKernel } from '../elementwise.js';

export const relu = unaryKernel('relu', `if (x > 0) { return x; }\nif (x != x) { return x; }\nreturn 0;`);
