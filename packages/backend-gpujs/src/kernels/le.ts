/** le: a <= b -> bool, with NumPy broadcasting. */
import { binaryKernel } from '../elementwise.js';

export const le = binaryKernel(
  'le',
  `if (x <= y) { return 1; }
return 0;`,
  () => 'bool',
);
