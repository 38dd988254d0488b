/** gt: a > b -> bool, with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const gt = binaryKernel(
  'gt',
  `if (x > y) { return 1; }
return 0;`,
  () => 'bool',
);
