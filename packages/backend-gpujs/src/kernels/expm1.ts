/** expm1(x), accurate near 0. */
import { expm1Code } from '../codegen.js';
import { unaryKernel } from '../elementwise.js';

export const expm1 = unaryKernel('expm1', `${expm1Code('x', 'r')}\nreturn r;`);
