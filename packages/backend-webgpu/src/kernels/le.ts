/** le: x <= y as bool, with NumPy broadcasting. */
import { comparisonKernel } from '../elementwise.js';

export const le = comparisonKernel('le', '<=');
