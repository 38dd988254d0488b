/**
 * erf / erfc in float64, accurate to a few ulps of double (checked against mpmath in erf.test.ts):
 * - |x| < 2.5: the all-positive series erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n x (2x^2)^n / (2n+1)!!
 *   (no cancellation, so no precision loss near 0 or near the switch point);
 * - |x| >= 2.5: erfc(x) from Laplace's continued fraction
 *   erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated bottom-up.
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;
const SWITCH = 2.5;

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  const ax = Math.abs(x);
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * 1e-17 || ax === 0) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc for x >= SWITCH. */
function erfcContinuedFraction(x: number): number {
  const depth = x < 4 ? 40 : 20;
  let t = x;
  for (let n = depth; n >= 1; n--) t = x + (n * 0.5) / t;
  return (INV_SQRT_PI * Math.exp(-x * x)) / t;
}

export function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= SWITCH) return 1 - erfcContinuedFraction(x);
  if (x <= -SWITCH) return erfcContinuedFraction(-x) - 1;
  return erfSeries(x);
}

export function erfc64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= SWITCH) return erfcContinuedFraction(x);
  if (x <= -SWITCH) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}

/** Exact GELU, x * Phi(x) = x/2 * erfc(-x/sqrt 2): the erfc form keeps precision for large negative x. */
export function gelu64(x: number): number {
  return 0.5 * x * erfc64(-x * Math.SQRT1_2);
}
