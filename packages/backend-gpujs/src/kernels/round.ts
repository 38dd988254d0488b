/** Round half to even (torch.round). Values that are already integral (all |x| >= 2^23) pass through. */
import { unaryKernel } from '../elementwise.js';

export const round = unaryKernel(
  'round',
  `const fl = Math.floor(x);
if (fl == x) { return x; }
const r = Math.floor(x + 0.5);
if (r - x == 0.5) {
  const half = r * 0.5;
  if (Math.floor(half) != half) { return r - 1; }
}
return r;`,
);
