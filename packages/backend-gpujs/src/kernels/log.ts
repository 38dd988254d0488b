/**
 * Natural log. Subnormal inputs are rescaled by 2^24 first where the engine keeps them (GL
 * shaders may flush subnormals to zero before any code sees them; then log gives -Infinity).
 */
import { unaryKernel } from '../elementwise.js';

export const log = unaryKernel(
  'log',
  `if (x > 0 && x < 1.1754943508222875e-38) { return Math.log(x * 16777216) - 16.635532333438686; }\nreturn Math.log(x);`,
);
