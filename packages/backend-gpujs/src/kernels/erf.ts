/** erf in float32 (see codegen's erfCode: |error| < 2e-7). */
import { erfCode } from '../codegen.js';
import { unaryKernel } from '../elementwise.js';

export const erf = unaryKernel('erf', `${erfCode('x', 'r')}\nreturn r;`);
