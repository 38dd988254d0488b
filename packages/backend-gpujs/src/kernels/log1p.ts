/**
 * log1p(x), accurate near 0 without cancelling terms: for |x| < 0.25, 2 * atanh(z) with
 * z = x / (2 + x) as its odd series (|z| < 0.15, so eight terms reach float32 precision);
 * elsewhere log(1 + x). (The u = 1 + x correction trick loses on GL: Mesa's llvmpipe
 * reassociates (1 + x) - 1 to x, and its log near 1 is accurate only in absolute terms.)
 */
import { unaryKernel } from '../elementwise.js';

export const log1p = unaryKernel(
  'log1p',
  `if (Math.abs(x) < 0.25) {
  const z = x / (2 + x);
  const z2 = z * z;
  return 2 * z * (1 + z2 * (0.3333333333333333 + z2 * (0.2 + z2 * (0.14285714285714285 + z2 * (0.1111111111111111 + z2 * (0.09090909090909091 + z2 * (0.07692307692307693 + z2 * 0.06666666666666667)))))));
}
return Math.log(1 + x);`,
);
