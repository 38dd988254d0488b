/** gt: x > y as bool, with NumPy broadcasting. */
import { comparisonKernel } from '../elementwise.js';

export const gt = comparisonKernel('gt', '>');
