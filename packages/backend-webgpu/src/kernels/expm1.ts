/** expm1: e^x - 1, accurate near 0. */
import { unaryKernel } from '../elementwise.js';
import { EXPM1 } from '../math.js';
export const expm1 = unaryKernel(
  'expm1',
  () => `if (is_nan(x)) { return x; }
return expm1_f(x);`,
  EXPM1,
);
