/** log1p: log(1 + x), accurate near 0. */
import { unaryKernel } from '../elementwise.js';
import { LOG1P } from '../math.js';
export const log1p = unaryKernel(
  'log1p',
  () => `if (is_nan(x)) { return x; }
return log1p_f(x);`,
  LOG1P,
);
