/** tanh via expm1 so that it is accurate near 0 and saturates (no inf/inf) for large |x|. */
import { expm1Code } from '../codegen.js';
import { unaryKernel } from '../elementwise.js';

export const tanh = unaryKernel(
  'tanh',
  `const ax = Math.abs(x);
${expm1Code('-2 * ax', 'em')}
const t = -em / (2 + em);
if (x < 0) { return -t; }
return t;`,
);
