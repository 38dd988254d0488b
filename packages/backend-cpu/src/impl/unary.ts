/**
 * Pure unary elementwise ops on typed arrays. Float ops take and return Float32Array (math is done
 * in float64 and rounded once on store). neg/abs/sign/square/relu also accept Int32Array (int32
 * arithmetic wraps like PyTorch's).
 */
import type { DataArray } from '@flint/core/backend';
import { takeF32, takeLike } from './util.js';
import { erf64, gelu64 } from './erf.js';
import { reluF32Simd } from './elementwise-wasm.js';

type F32 = Float32Array;
const f32 = (x: F32, out?: F32): F32 => out ?? takeF32(x.length);

export function neg(x: DataArray, out: DataArray = takeLike(x, x.length)): DataArray {
  for (let i = 0; i < x.length; i++) out[i] = -x[i]!;
  return out;
}
export function abs(x: DataArray, out: DataArray = takeLike(x, x.length)): DataArray {
  for (let i = 0; i < x.length; i++) out[i] = Math.abs(x[i]!);
  return out;
}
/** sign(x) in {-1, 0, 1}; sign(NaN) = 0 as PyTorch's (0 < x) - (x < 0). */
export function sign(x: DataArray, out: DataArray = takeLike(x, x.length)): DataArray {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v > 0 ? 1 : v < 0 ? -1 : 0;
  }
  return out;
}
export function square(x: DataArray, out: DataArray = takeLike(x, x.length)): DataArray {
  if (x instanceof Int32Array) {
    for (let i = 0; i < x.length; i++) out[i] = Math.imul(x[i]!, x[i]!);
  } else {
    for (let i = 0; i < x.length; i++) out[i] = x[i]! * x[i]!;
  }
  return out;
}
/** max(0, x); NaN stays NaN and relu(-0) = -0, as in PyTorch. */
export function relu(x: DataArray, out: DataArray = takeLike(x, x.length)): DataArray {
  if (x instanceof Float32Array && out instanceof Float32Array) {
    if (reluF32Simd(x, out)) return out;
    reluF32Bits(
      new Int32Array(x.buffer, x.byteOffset, x.length),
      new Int32Array(out.buffer, out.byteOffset, out.length),
    );
    return out;
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    // biome-ignore lint/complexity/useMathMinMax: keeps relu(-0) = -0 (Math.max(0, -0) is +0)
    out[i] = v < 0 ? 0 : v;
  }
  return out;
}
/**
 * Float32 relu on the bit patterns, branch-free: a compare-and-select on real data (half the
 * activations negative) mispredicts about every other element (~7x slower than on all-positive
 * input). The values to zero are exactly the negative numbers below -0 down to -inf, whose bits
 * as int32 are [-2^31 + 1, -2^23]; -0 (-2^31) and the NaNs with the sign bit set (above -2^23)
 * keep their bits. t = b + 2^31 - 1 maps that range onto [0, 2^31 - 2^23 - 1], tested with two
 * sign shifts.
 */
function reluF32Bits(x: Int32Array, out: Int32Array): void {
  for (let i = 0; i < x.length; i++) {
    const b = x[i]!;
    const t = (b + 2147483647) | 0;
    const zero = ~(t >> 31) & (((t - 2139095040) | 0) >> 31);
    out[i] = b & ~zero;
  }
}
export function exp(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = Math.exp(x[i]!);
  return o;
}
export function log(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = Math.log(x[i]!);
  return o;
}
export function sqrt(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = Math.sqrt(x[i]!);
  return o;
}
export function rsqrt(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = 1 / Math.sqrt(x[i]!);
  return o;
}
export function reciprocal(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = 1 / x[i]!;
  return o;
}
export function sin(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = Math.sin(x[i]!);
  return o;
}
export function cos(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = Math.cos(x[i]!);
  return o;
}
export function tanh(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = Math.tanh(x[i]!);
  return o;
}
/** 1/(1+e^-x), evaluated so that exp never overflows: e^x/(1+e^x) for x < 0. */
export function sigmoid(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v >= 0) {
      o[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      o[i] = e / (1 + e);
    }
  }
  return o;
}
export function leakyRelu(x: F32, negativeSlope: number, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    o[i] = v < 0 ? v * negativeSlope : v;
  }
  return o;
}
export function gelu(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = gelu64(x[i]!);
  return o;
}
export function erf(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = erf64(x[i]!);
  return o;
}
export function floor(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = Math.floor(x[i]!);
  return o;
}
export function ceil(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = Math.ceil(x[i]!);
  return o;
}
/** Round half to even (torch.round); Math.round rounds halves up, so fix the odd results. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
export function round(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = roundHalfEven(x[i]!);
  return o;
}
export function log1p(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = Math.log1p(x[i]!);
  return o;
}
export function expm1(x: F32, out?: F32): F32 {
  const o = f32(x, out);
  for (let i = 0; i < x.length; i++) o[i] = Math.expm1(x[i]!);
  return o;
}
