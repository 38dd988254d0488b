/** rsqrt: 1 / sqrt(x) (a true division: inverseSqrt may be a low-precision estimate on some adapters). */
import { unaryKernel } from '../elementwise.js';

export const rsqrt = unaryKernel(
  'rsqrt',
  () => `if (x < 0.0) { return f_nan(); }
return 1.0 / sqrt(x);`,
);
