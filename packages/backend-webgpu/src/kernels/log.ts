/** log: natural logarithm; log(0) = -Infinity, log(x < 0) = NaN. */
import { unaryKernel } from '../elementwise.js';

export const log = unaryKernel(
  'log',
  () => `if (x == 0.0) { return -f_inf(); }
if (x < 0.0) { return f_nan(); }
return log(x);`,
);
