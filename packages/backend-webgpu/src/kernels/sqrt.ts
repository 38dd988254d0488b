/** sqrt: square root; sqrt(x < 0) = NaN. */
import { unaryKernel } from '../elementwise.js';

export const sqrt = unaryKernel(
  'sqrt',
  () => `if (x < 0.0) { return f_nan(); }
return sqrt(x);`,
);
