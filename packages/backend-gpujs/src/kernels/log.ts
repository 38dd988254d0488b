/** log: natural log. */
import { unaryKernel } from '../elementwise.js';

export const log = unaryKernel('log', `return Math.log(x);`);
