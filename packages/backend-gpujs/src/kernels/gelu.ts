/** Exact GELU: x * 0.5 * (1 + erf(x / sqrt 2)). */
import { erfCode } from '../codegen.js';
import { unaryKernel } from '../elementwise.js';

export const gelu = unaryKernel(
  'gelu',
  `const z = x * 0.7071067811865476;\n${erfCode('z', 'r')}\nreturn 0.5 * x * (1 + r);`,
);
