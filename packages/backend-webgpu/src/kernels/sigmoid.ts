/** sigmoid: 1 / (1 + e^-x), written so that neither branch overflows. */
import { unaryKernel } from '../elementwise.js';

export const sigmoid = unaryKernel(
  'sigmoid',
  () => `if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
let e = exp(x);
return e / (1.0 + e);`,
);
