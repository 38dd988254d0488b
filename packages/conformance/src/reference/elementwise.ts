/** Elementwise references in float64: unary maps, NumPy-broadcast binary maps, where. */
import type { DType } from '@flint/core/backend';
import { broadcastAt, broadcastShape, host, sizeOfShape, unravel, type HostTensor } from './tensor.js';

/**
 * erf in float64: Maclaurin series for |x| < 3 (about 1e-13 after cancellation), a continued
 * fraction for erfc beyond (converges fast there).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 10) return Math.sign(x);
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated bottom-up.
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/** Round half to even (torch.round). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

export const unaryRef = {
  neg: (x: number) => -x,
  abs: (x: number) => Math.abs(x),
  sign: (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x: number) => 1 / Math.sqrt(x),
  reciprocal: (x: number) => 1 / x,
  square: (x: number) => x * x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  // Math.max keeps NaN (PyTorch's relu(NaN) = NaN) and maps -0 to 0.
  relu: (x: number) => Math.max(x, 0),
  gelu: (x: number) => x * 0.5 * (1 + erf(x / Math.SQRT2)),
  erf,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  log1p: Math.log1p,
  expm1: Math.expm1,
} satisfies Record<string, (x: number) => number>;
export type UnaryName = keyof typeof unaryRef;

export function leakyReluRef(slope: number): (x: number) => number {
  return (x) => (x > 0 ? x : x * slope);
}

export function mapUnary(x: HostTensor, f: (v: number) => number, dtype: DType = x.dtype): HostTensor {
  return host(x.shape, dtype, Array.from(x.data, f));
}

const maxNaN = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
const minNaN = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));

export const binaryRef = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  pow: (a: number, b: number) => (b === 0 || a === 1 || (a === -1 && (b === Infinity || b === -Infinity)) ? 1 : a ** b),
  maximum: maxNaN,
  minimum: minNaN,
  eq: (a: number, b: number) => (a === b ? 1 : 0),
  ne: (a: number, b: number) => (a !== b ? 1 : 0),
  lt: (a: number, b: number) => (a < b ? 1 : 0),
  le: (a: number, b: number) => (a <= b ? 1 : 0),
  gt: (a: number, b: number) => (a > b ? 1 : 0),
  ge: (a: number, b: number) => (a >= b ? 1 : 0),
} satisfies Record<string, (a: number, b: number) => number>;
export type BinaryName = keyof typeof binaryRef;
export const comparisonNames = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;

/** Integer arithmetic as int32 storage does it (wrapping multiply). */
function int32Op(name: BinaryName, f: (a: number, b: number) => number): (a: number, b: number) => number {
  return name === 'mul' ? (a, b) => Math.imul(a, b) : f;
}

export function mapBinary(name: BinaryName, a: HostTensor, b: HostTensor): HostTensor {
  const shape = broadcastShape(a.shape, b.shape);
  const isCmp = (comparisonNames as readonly string[]).includes(name);
  const dtype: DType = isCmp ? 'bool' : a.dtype;
  const f = a.dtype === 'int32' ? int32Op(name, binaryRef[name]) : binaryRef[name];
  const n = sizeOfShape(shape);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    out[i] = f(broadcastAt(a, idx), broadcastAt(b, idx));
  }
  return host(shape, dtype, out);
}

export function whereRef(cond: HostTensor, a: HostTensor, b: HostTensor): HostTensor {
  const shape = broadcastShape(cond.shape, a.shape, b.shape);
  const n = sizeOfShape(shape);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    out[i] = broadcastAt(cond, idx) !== 0 ? broadcastAt(a, idx) : broadcastAt(b, idx);
  }
  return host(shape, a.dtype, out);
}
