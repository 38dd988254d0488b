/** gelu: exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)). */
import { unaryKernel } from '../elementwise.js';
import { ERF } from '../math.js';
export const gelu = unaryKernel(
  'gelu',
  () => `if (is_nan(x)) { return x; }
return 0.5 * x * (1.0 + erf_f(x * 0.7071067811865476));`,
  ERF,
);
