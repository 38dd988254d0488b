/**
 * pow with PyTorch's (C's) semantics: x^0 = 1 and 1^y = 1 (NaN included), (-1)^±Infinity = 1,
 * negative bases keep their sign for odd integral exponents and give NaN for fractional ones.
 * int32: exact integer power by squaring (wrapping), negative exponents truncate (0 unless |x| = 1).
 */
import { binaryKernel } from '../elementwise.js';

const FLOAT = `if (y == 0.0 || x == 1.0) { return 1.0; }
if (x == -1.0 && is_inf(y)) { return 1.0; }
if (is_nan(x) || is_nan(y)) { return f_nan(); }
let ax = abs(x);
var r: f32;
if (ax == 0.0) {
  r = select(f_inf(), 0.0, y > 0.0);
} else {
  r = exp2(y * log2(ax));
}
let negative = (bitcast<u32>(x) & 0x80000000u) != 0u;
if (negative) {
  if (is_inf(y)) { return r; }
  if (floor(y) != y) { return f_nan(); }
  let h = y * 0.5;
  if (floor(h) != h) { r = -r; }
}
return r;`;

const INT = `if (y < 0) {
  if (x == 1) { return 1; }
  if (x == -1) { return select(-1, 1, (y & 1) == 0); }
  return 0;
}
var result = 1;
var base = x;
var e = u32(y);
for (var k = 0u; k < 32u; k++) {
  if (e == 0u) { break; }
  if ((e & 1u) != 0u) { result = result * base; }
  base = base * base;
  e = e >> 1u;
}
return result;`;

export const pow = binaryKernel('pow', (t) => (t === 'f32' ? FLOAT : INT));
