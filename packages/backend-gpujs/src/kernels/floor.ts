/** floor: floor. */
import { unaryKernel } from '../elementwise.js';

export const floor = unaryKernel('floor', `return Math.floor(x);`);
