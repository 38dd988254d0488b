/** ne: a != b -> bool, with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const ne = binaryKernel(
  'ne',
  `if (x == y) { return 0; }
return 1;`,
  () => 'bool',
);
