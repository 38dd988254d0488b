/**
 * Float32 math in WGSL for the functions whose builtins are missing or too loose on software
 * adapters. Shader compilers may reassociate float arithmetic, so no formula here relies on an
 * exact rounding error (such as log1p's (1 + x) - 1 correction): near 0 they use series instead.
 */

/** expm1: Taylor series for |x| < 0.5 (error below 1e-8 relative), exp(x) - 1 beyond. */
export const EXPM1 = `
fn expm1_f(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    return x * (1.0 + x * (0.5 + x * (0.16666666666666666 + x * (0.041666666666666664 + x * (0.008333333333333333
      + x * (0.001388888888888889 + x * (0.0001984126984126984 + x * 0.0000248015873015873)))))));
  }
  return exp(x) - 1.0;
}
`;

/**
 * log1p: 2 atanh(s) with s = x / (2 + x) for |x| < 0.3 (|s| < 0.18: the odd series to s^15 is exact
 * to float32), log(1 + x) beyond (there |log1p x| > 0.26, so 1 + x's rounding is negligible).
 */
export const LOG1P = `
fn log1p_f(x: f32) -> f32 {
  if (abs(x) < 0.3) {
    let s = x / (2.0 + x);
    let s2 = s * s;
    return 2.0 * s * (1.0 + s2 * (0.3333333333333333 + s2 * (0.2 + s2 * (0.14285714285714285 + s2 * (0.1111111111111111
      + s2 * (0.09090909090909091 + s2 * (0.07692307692307693 + s2 * 0.06666666666666667)))))));
  }
  if (x == -1.0) { return -f_inf(); }
  if (x < -1.0) { return f_nan(); }
  return log(1.0 + x);
}
`;

/**
 * erf: Maclaurin series for |z| < 0.5; beyond, the Chebyshev-fitted erfc of Numerical Recipes
 * (fractional error below 1.2e-7 everywhere).
 */
export const ERF = `
fn erf_f(z: f32) -> f32 {
  let az = abs(z);
  if (az < 0.5) {
    let z2 = z * z;
    return 1.1283791670955126 * z * (1.0 + z2 * (-0.3333333333333333 + z2 * (0.1 + z2 * (-0.023809523809523808
      + z2 * (0.004629629629629629 + z2 * (-0.0007575757575757576 + z2 * 0.00010683760683760684))))));
  }
  if (az > 10.0) { return sign(z); }
  let t = 1.0 / (1.0 + 0.5 * az);
  let e = t * exp(-az * az - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(1.0 - e, e - 1.0, z < 0.0);
}
`;
