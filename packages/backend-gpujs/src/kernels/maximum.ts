/** maximum: elementwise max; NaN propagates, with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const maximum = binaryKernel(
  'maximum',
  `if (x != x) { return x; }
if (y != y) { return y; }
if (x > y) { return x; }
return y;`,
);
