/** minimum: elementwise min; NaN propagates, with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const minimum = binaryKernel(
  'minimum',
  `if (x != x) { return x; }
if (y != y) { return y; }
if (x < y) { return x; }
return y;`,
);
