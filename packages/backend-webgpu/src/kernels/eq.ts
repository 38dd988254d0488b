/** eq: x == y as bool, with NumPy broadcasting. */
import { comparisonKernel } from '../elementwise.js';

export const eq = comparisonKernel('eq', '==');
