/** floor: round toward -Infinity. */
import { unaryKernel } from '../elementwise.js';

export const floor = unaryKernel('floor', () => `return floor(x);`);
