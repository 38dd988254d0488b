/**
 * pow with torch's semantics where GLSL's pow is undefined: x^0 = 1 and 1^y = 1 (NaN included),
 * (-1)^±inf = 1, negative bases with integral
 * exponents keep their sign, negative bases with fractional exponents give NaN. int32 results are
 * rounded to the nearest integer (GLSL's pow is exp2(y * log2 x), not exact).
 */
import type { Shape } from '@flint/core/backend';
import { binaryKernel, type Ref } from '../elementwise.js';
import type { GpuContext } from '../context.js';

// (-1)^±inf is 1 in C and torch; |y| > 3.4e38 is how a shader can tell an infinite float32
const body = (finish: string) => `if (y == 0 || x == 1) { return 1; }
if (x == -1 && Math.abs(y) > 3.4e38) { return 1; }
const ax = Math.abs(x);
let r = 0;
if (ax == 0) {
  if (y > 0) { return 0; }
  r = 1 / ax;
} else {
  r = Math.pow(ax, y);
}
if (x < 0) {
  if (Math.floor(y) != y) { return Math.sqrt(x); }
  const h = y * 0.5;
  if (Math.floor(h) != h) { r = -r; }
}
${finish}`;

const powFloat = binaryKernel('pow', body('return r;'));
const powInt = binaryKernel(
  'pow/int',
  body('if (r < 0) { return -Math.floor(-r + 0.5); }\nreturn Math.floor(r + 0.5);'),
);

export const pow = (ctx: GpuContext) => {
  const f = powFloat(ctx);
  const i = powInt(ctx);
  return (a: Ref, b: Ref, outShape: Shape) => (a.dtype === 'int32' ? i(a, b, outShape) : f(a, b, outShape));
};
