/** ge: a >= b -> bool, with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const ge = binaryKernel(
  'ge',
  `if (x >= y) { return 1; }
return 0;`,
  () => 'bool',
);
