/** log1p(x), accurate near 0 (the u = 1 + x correction trick). */
import { unaryKernel } from '../elementwise.js';

export const log1p = unaryKernel(
  'log1p',
  `if (x > 1000000) { return Math.log(x); }
const u = 1 + x;
if (u == 1) { return x; }
return Math.log(u) * (x / (u - 1));`,
);
