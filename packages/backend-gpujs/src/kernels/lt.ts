/** lt: a < b -> bool, with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const lt = binaryKernel(
  'lt',
  `if (x < y) { return 1; }
return 0;`,
  () => 'bool',
);
