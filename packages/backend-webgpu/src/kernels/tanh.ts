/** tanh: tanh via expm1: accurate near 0, saturating (no Infinity / Infinity) for large |x|. */
import { unaryKernel } from '../elementwise.js';
import { EXPM1 } from '../math.js';
export const tanh = unaryKernel(
  'tanh',
  () => `if (is_nan(x)) { return x; }
let ax = abs(x);
if (ax > 10.0) { return sign(x); }
let em = expm1_f(-2.0 * ax);
let t = -em / (2.0 + em);
return select(t, -t, x < 0.0);`,
  EXPM1,
);
