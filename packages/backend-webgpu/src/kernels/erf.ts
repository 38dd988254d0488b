/** erf: the error function (float32, fractional error below 1.2e-7). */
import { unaryKernel } from '../elementwise.js';
import { ERF } from '../math.js';
export const erf = unaryKernel(
  'erf',
  () => `if (is_nan(x)) { return x; }
return erf_f(x);`,
  ERF,
);
