/**
 * Pure unary elementwise ops on typed arrays. Float ops take and return Float32Array (math is done
 * in float64 and rounded once on store). neg/abs/sign/square/relu also accept Int32Array (int32
 * arithmetic wraps like PyTorch's).
 */
import type { DataArray } from '@flint/core/backend';
import { takeF32, takeLike } from './util.js';
import { erf64, gelu64 } from './erf.js';

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
/** max(0, x); NaN stays NaN as in PyTorch. */
export function relu(x: DataArray, out: DataArray = takeLike(x, x.length)): DataArray {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    // biome-ignore lint/complexity/useMathMinMax: keeps relu(-0) = -0 (Math.max(0, -0) is +0)
    out[i] = v < 0 ? 0 : v;
  }
  return out;
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
