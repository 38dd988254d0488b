/** sigmoid(x) = 1 / (1 + e^-x), written so that neither branch overflows. */
import { unaryKernel } from '../elementwise.js';

export const sigmoid = unaryKernel(
  'sigmoid',
  `if (x >= 0) { return 1 / (1 + Math.exp(-x)); }
const e = Math.exp(x);
return e / (1 + e);`,
);
