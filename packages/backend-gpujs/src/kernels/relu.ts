/** relu: max(0, x), NaN propagates. */
import { unaryKernel } from '../elementwise.js';

export const relu = unaryKernel('relu', `if (x > 0) { return x; }
if (x <= 0) { return 0; }
return x;`);
