/** ge: x >= y as bool, with NumPy broadcasting. */
import { comparisonKernel } from '../elementwise.js';

export const ge = comparisonKernel('ge', '>=');
