/** eq: a == b -> bool, with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const eq = binaryKernel(
  'eq',
  `if (x == y) { return 1; }
return 0;`,
  () => 'bool',
);
