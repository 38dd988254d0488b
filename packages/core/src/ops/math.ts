/**
 * Elementwise math composed from the existing kernels (no kernel of their own), with gradient
 * rules: tan, asin/acos/atan/atan2, sinh/cosh, log2/log10, trunc/frac, remainder/fmod/floorDivide,
 * isnan/isinf/isfinite/nanToNum, lerp, addcmul/addcdiv, logicalOr/logicalXor, isclose/allclose/equal.
 *
 * Ops whose composition would give a poor or NaN gradient (a polynomial's derivative, 0 * inf in a
 * branch not taken) compute their forward without recording and record one node with the exact
 * rule; the others are plain compositions of differentiable ops.
 */
import { noGrad } from '../autograd/grad-mode.js';
import type { DType } from '../backend/kernels.js';
import { formatShape, shapesEqual } from '../backend/shape.js';
import type { Tensor, TensorOrScalar } from '../tensor/tensor.js';
import { div, logicalAnd, maximum, minimum, where } from './elementwise.js';
import { sumToShape } from './reduce.js';
import { castNoGrad, coerceOperands, commonBackend, constant } from './util.js';
import { op, recordGrad } from './op.js';

const FLOAT32_MAX = 3.4028234663852886e38;

/** PyTorch's names for Flint's dtypes in error messages ('Float', 'Int', 'Bool'). */
export function torchTypeName(dtype: DType): string {
  return dtype === 'float32' ? 'Float' : dtype === 'int32' ? 'Int' : 'Bool';
}

function asFloat(x: Tensor): Tensor {
  return x.dtype === 'float32' ? x : castNoGrad(x, 'float32');
}

/**
 * Forward computed without recording (its temporaries freed), then one node whose rule gets the
 * saved tensors (inputs and/or the output) and the output gradient.
 */
function withRule(
  name: string,
  inputs: readonly Tensor[],
  forward: () => Tensor,
  saves: (out: Tensor) => readonly Tensor[],
  rule: (saved: readonly Tensor[], g: Tensor) => readonly (Tensor | null)[],
): Tensor {
  return op(name, () => {
    const out = noGrad(forward);
    return recordGrad(out, inputs, saves(out), (g, saved) => rule(saved, g));
  });
}

/** Sum a broadcast gradient back to an input's shape (rules run in a scope: no disposes). */
function reduceTo(g: Tensor, shape: readonly number[]): Tensor {
  return shapesEqual(g.shape, shape) ? g : sumToShape(g, shape);
}

// ------------------------------------------------------------------ trigonometric

const TAN_PI_12 = 0.2679491924311227;
const SQRT3 = Math.sqrt(3);

/**
 * atan on [0, 1]: above tan(pi/12) the identity atan(t) = pi/6 + atan((t*sqrt3 - 1)/(t + sqrt3))
 * brings the argument within tan(pi/12) of 0, where the odd series to u^11 is exact to ~1e-8.
 */
function atanUnit(t: Tensor): Tensor {
  const mid = t.gt(TAN_PI_12);
  const u = where(mid, t.mul(SQRT3).sub(1).div(t.add(SQRT3)), t);
  const u2 = u.square();
  let p = u2.mul(-1 / 11).add(1 / 9);
  for (const c of [-1 / 7, 1 / 5, -1 / 3, 1]) p = p.mul(u2).add(c);
  return p.mul(u).add(where(mid, Math.PI / 6, 0));
}

function atanForward(x: Tensor): Tensor {
  const ax = x.abs();
  const big = ax.gt(1);
  // atan(x) = pi/2 - atan(1/x) for x > 1; the reciprocal of 0 is never selected.
  const r0 = atanUnit(where(big, ax.reciprocal(), ax));
  const r = where(big, r0.neg().add(Math.PI / 2), r0);
  return where(x.lt(0), r.neg(), r);
}

/** atan2 from min(|x|,|y|) / max(|x|,|y|) in [0, 1] and the quadrant (equal magnitudes give pi/4, both 0 give 0). */
function atan2Forward(y: Tensor, x: Tensor): Tensor {
  const ay = y.abs();
  const ax = x.abs();
  const hi = maximum(ax, ay);
  const lo = minimum(ax, ay);
  const t = where(lo.eq(hi), hi.sign(), lo.div(hi));
  const r0 = atanUnit(t);
  const r1 = where(ay.gt(ax), r0.neg().add(Math.PI / 2), r0);
  // IEEE's signs of zero, as PyTorch: atan2(±0, -0) = ±π, atan2(-0, x >= +0) = -0
  const r2 = where(signBit(x), r1.neg().add(Math.PI), r1);
  return where(signBit(y), r2.neg(), r2);
}

/** Negative, or -0 (1 / -0 = -inf). */
function signBit(v: Tensor): Tensor {
  return v.lt(0).logicalOr(v.eq(0).logicalAnd(v.reciprocal().lt(0)));
}

/** sqrt((1 - x)(1 + x)): 1 - x^2 without the cancellation near |x| = 1. */
function cosOfAsin(x: Tensor): Tensor {
  return x.neg().add(1).mul(x.add(1)).sqrt();
}

export function tan(x: Tensor): Tensor {
  return withRule(
    'tan',
    [x],
    () => {
      const xf = asFloat(x);
      return xf.sin().div(xf.cos());
    },
    (out) => [out],
    ([y], g) => [g.mul(y!.square().add(1))],
  );
}

export function atan(x: Tensor): Tensor {
  return withRule(
    'atan',
    [x],
    () => atanForward(asFloat(x)),
    () => [x],
    ([v], g) => [g.div(v!.square().add(1))],
  );
}

/** asin(x) = atan2(x, sqrt(1 - x^2)); NaN outside [-1, 1]. */
export function asin(x: Tensor): Tensor {
  return withRule(
    'asin',
    [x],
    () => {
      const xf = asFloat(x);
      return atan2Forward(xf, cosOfAsin(xf));
    },
    () => [x],
    ([v], g) => [g.div(cosOfAsin(v!))],
  );
}

/** acos(x) = atan2(sqrt(1 - x^2), x): accurate near x = 1 where acos is small. */
export function acos(x: Tensor): Tensor {
  return withRule(
    'acos',
    [x],
    () => {
      const xf = asFloat(x);
      return atan2Forward(cosOfAsin(xf), xf);
    },
    () => [x],
    ([v], g) => [g.div(cosOfAsin(v!)).neg()],
  );
}

/**
 * atan2(y, x), broadcasting. Gradients y' = x/(x^2+y^2), x' = -y/(x^2+y^2), computed scaled by
 * max(|x|, |y|) so they neither overflow nor underflow in float32; NaN at (0, 0) as in PyTorch.
 * Signed zeros are not distinguished (atan2(0, -0) is 0, PyTorch's is pi).
 */
export function atan2(y: Tensor, x: Tensor): Tensor {
  commonBackend('atan2', [y, x]);
  const yShape = y.shape;
  const xShape = x.shape;
  return withRule(
    'atan2',
    [y, x],
    () => atan2Forward(asFloat(y), asFloat(x)),
    () => [y, x],
    ([sy, sx], g) => {
      const s = maximum(sy!.abs(), sx!.abs());
      const ys = sy!.div(s);
      const xs = sx!.div(s);
      const denom = ys.square().add(xs.square()).mul(s);
      return [
        y.requiresGrad ? reduceTo(g.mul(xs).div(denom), yShape) : null,
        x.requiresGrad ? reduceTo(g.mul(ys).div(denom).neg(), xShape) : null,
      ];
    },
  );
}

// ------------------------------------------------------------------ hyperbolic, logarithms

/** e^|x| / 2 and e^-|x| / 2 without overflowing e^|x| where sinh/cosh are still finite in float32. */
function halfExps(a: Tensor): [Tensor, Tensor] {
  return [a.sub(Math.LN2).exp(), a.neg().sub(Math.LN2).exp()];
}

/** sinh: (expm1(x) - expm1(-x)) / 2 below |x| = 1 (no cancellation near 0), e^|x|/2 - e^-|x|/2 above. */
export function sinh(x: Tensor): Tensor {
  return withRule(
    'sinh',
    [x],
    () => {
      const xf = asFloat(x);
      const a = xf.abs();
      const [up, down] = halfExps(a);
      const large = up.sub(down);
      const small = xf.expm1().sub(xf.neg().expm1()).mul(0.5);
      return where(a.lt(1), small, where(xf.lt(0), large.neg(), large));
    },
    () => [x],
    ([v], g) => [g.mul(cosh(v!))],
  );
}

export function cosh(x: Tensor): Tensor {
  return withRule(
    'cosh',
    [x],
    () => {
      const [up, down] = halfExps(asFloat(x).abs());
      return up.add(down);
    },
    () => [x],
    ([v], g) => [g.mul(sinh(v!))],
  );
}

function logBase(name: string, x: Tensor, ln: number): Tensor {
  return withRule(
    name,
    [x],
    () =>
      asFloat(x)
        .log()
        .mul(1 / ln),
    () => [x],
    ([v], g) => [g.div(v!.mul(ln))],
  );
}
export const log2 = (x: Tensor): Tensor => logBase('log2', x, Math.LN2);
export const log10 = (x: Tensor): Tensor => logBase('log10', x, Math.LN10);

// ------------------------------------------------------------------ trunc, frac

function rejectBool(op: string, x: Tensor): void {
  if (x.dtype === 'bool') throw new Error(`${op}: "${op}" not implemented for 'Bool' (shape ${formatShape(x.shape)})`);
}

/** Round toward zero; integers are returned as a copy. The gradient is 0 (as torch.trunc's). */
export function trunc(x: Tensor): Tensor {
  rejectBool('trunc', x);
  if (x.dtype === 'int32') return x.clone();
  return withRule(
    'trunc',
    [x],
    () => where(x.lt(0), x.ceil(), x.floor()),
    () => [],
    (_s, g) => [constant(g.backend, 0, g.dtype, g.shape)],
  );
}

/** x - trunc(x), the sign of x; float only (as PyTorch). The gradient passes unchanged. */
export function frac(x: Tensor): Tensor {
  if (x.dtype !== 'float32') throw new Error(`frac: "frac_cpu" not implemented for '${torchTypeName(x.dtype)}'`);
  return withRule(
    'frac',
    [x],
    () => x.sub(where(x.lt(0), x.ceil(), x.floor())),
    () => [],
    (_s, g) => [g],
  );
}

// ------------------------------------------------------------------ remainder, fmod, floorDivide

type Rounding = 'trunc' | 'floor';

/** q*b - fl(q*b), exactly: Dekker's two-product with Veltkamp's float32 split (4097 = 2^12 + 1). */
function productError(q: Tensor, b: Tensor, p: Tensor): Tensor {
  const split = (x: Tensor): [Tensor, Tensor] => {
    const c = x.mul(4097);
    const hi = c.sub(c.sub(x));
    return [hi, x.sub(hi)];
  };
  const [qh, ql] = split(q);
  const [bh, bl] = split(b);
  return qh.mul(bh).sub(p).add(qh.mul(bl)).add(ql.mul(bh)).add(ql.mul(bl));
}

/**
 * Float a / b as PyTorch computes it: the truncated remainder (C's fmod, exact) first, then for
 * 'floor' r + b where r and b differ in sign (one rounding, as torch.remainder). The quotient
 * trunc(a/b) can be one off where a/b rounded across an integer; the residual a - q*b is exact
 * (a - fl(q*b) by Sterbenz, minus the product's rounding error) while |q| < 2^24, so one step
 * against its sign and size fixes q. 7.5 % 0.1 is 0.0999999 (0.1 is 0.100000001 in float32), not 0.
 */
function floatDivMod(a: Tensor, b: Tensor, rounding: Rounding): { q: Tensor; r: Tensor } {
  const quotient = a.div(b);
  let q = where(quotient.lt(0), quotient.ceil(), quotient.floor());
  const p = q.mul(b);
  // beyond 2^24 the split could overflow and q is no exact integer quotient: the plain residual
  let r = where(q.abs().lt(2 ** 24), a.sub(p).sub(productError(q, b, p)), a.sub(p));
  const step = a.sign().mul(b.sign());
  const bStep = a.sign().mul(b.abs());
  const overshoot = logicalAnd(r.ne(0), r.lt(0).ne(a.lt(0)));
  q = where(overshoot, q.sub(step), q);
  r = where(overshoot, r.add(bStep), r);
  const undershoot = logicalAnd(r.abs().ge(b.abs()), b.ne(0));
  q = where(undershoot, q.add(step), q);
  r = where(undershoot, r.sub(bStep), r);
  if (rounding === 'trunc') return { q, r };
  const flip = logicalAnd(r.ne(0), r.lt(0).ne(b.lt(0)));
  // PyTorch's floor quotient is (a - fmod(a, b)) / b: NaN where the remainder is (inf // 2 is NaN);
  // a / 0 stays ±inf (a zero divisor is a / b in torch's div_floor)
  const nanQuotient = logicalAnd(r.ne(r), b.ne(0));
  return { q: where(nanQuotient, Number.NaN, where(flip, q.sub(1), q)), r: where(flip, r.add(b), r) };
}

/**
 * Quotient and remainder of a / b (same dtype, broadcast) with a = q*b + r and |r| < |b|; r has
 * the sign of a ('trunc', C's fmod) or of b ('floor', Python's %). Floats: floatDivMod. int32
 * rounds a float estimate, refines it once more in integer arithmetic and corrects q by one
 * against r, so it is exact over the whole int32 range on backends with exact int32 kernels; a
 * zero integer divisor gives 0.
 */
function divMod(a: Tensor, b: Tensor, rounding: Rounding): { q: Tensor; r: Tensor } {
  if (a.dtype === 'float32') return floatDivMod(a, b, rounding);
  const round = (t: Tensor): Tensor => (rounding === 'floor' ? t.floor() : where(t.lt(0), t.ceil(), t.floor()));
  const fb = castNoGrad(b, 'float32');
  const estimate = (num: Tensor): Tensor => castNoGrad(round(castNoGrad(num, 'float32').div(fb)), 'int32');
  let q = estimate(a);
  let r = a.sub(q.mul(b));
  const dq = estimate(r);
  q = q.add(dq);
  r = r.sub(dq.mul(b));
  // The sign r must have (a's for trunc, b's for floor): when r has the other sign, q went one too far.
  const ref = rounding === 'trunc' ? a : b;
  const overshoot = logicalAnd(r.ne(0), r.lt(0).ne(ref.lt(0)));
  // sign(ref)*sign(b) is the unit step of q in the direction that moves r toward 0.
  const step = rounding === 'trunc' ? a.sign().mul(b.sign()) : constant(a.backend, 1, a.dtype);
  const bStep = rounding === 'trunc' ? a.sign().mul(b.abs()) : b;
  q = where(overshoot, q.sub(step), q);
  r = where(overshoot, r.add(bStep), r);
  const undershoot = logicalAnd(r.abs().ge(b.abs()), b.ne(0));
  q = where(undershoot, q.add(step), q);
  r = where(undershoot, r.sub(bStep), r);
  const zero = b.eq(0);
  return { q: where(zero, 0, q), r: where(zero, 0, r) };
}

/** Operands of one dtype (ints stay int; bool is refused as by PyTorch); a zero integer scalar divisor is PyTorch's error. */
function divOperands(op: string, kernelName: string, a: TensorOrScalar, b: TensorOrScalar): [Tensor, Tensor] {
  const [x, y] = coerceOperands(op, a, b);
  if (x.dtype === 'bool') throw new Error(`${op}: "${kernelName}" not implemented for 'Bool'`);
  if (x.dtype === 'int32' && b === 0) throw new Error(`${op}: ZeroDivisionError (integer division by zero)`);
  return [x, y];
}

/**
 * A finite a over an infinite b, where a/b = 0 made r = a - 0*inf NaN: the quotient is 0 (or -1
 * for floor division of operands of opposite signs, Python's -5 // inf) and the remainder follows.
 */
function overInfinity(a: Tensor, b: Tensor, rounding: Rounding): { mask: Tensor; q: Tensor; r: Tensor } {
  const mask = logicalAnd(b.abs().eq(Infinity), a.abs().lt(Infinity));
  if (rounding === 'trunc') return { mask, q: constant(a.backend, 0, 'float32'), r: a };
  const same = logicalOr(a.eq(0), a.lt(0).eq(b.lt(0)));
  return { mask, q: where(same, 0, -1), r: where(same, a, b) };
}

/** Operands in one dtype, quotient and remainder with the infinite-divisor case settled. */
function divModOf(
  op: string,
  kernelName: string,
  rounding: Rounding,
  a: TensorOrScalar,
  b: TensorOrScalar,
): { x: Tensor; y: Tensor; q: Tensor; r: Tensor } {
  const [x, y] = divOperands(op, kernelName, a, b);
  const { q, r } = divMod(x, y, rounding);
  if (x.dtype !== 'float32') return { x, y, q, r };
  const inf = overInfinity(x, y, rounding);
  return { x, y, q: where(inf.mask, inf.q, q), r: where(inf.mask, inf.r, r) };
}

/** fmod / remainder share a rule: a' = g, b' = -g * q (q the rounded quotient). */
function modOp(name: string, kernelName: string, rounding: Rounding, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return op(name, () => {
    const [out, x, y, q] = noGrad(() => {
      const d = divModOf(name, kernelName, rounding, a, b);
      return [d.r, d.x, d.y, d.q] as const;
    });
    const xShape = x.shape;
    const yShape = y.shape;
    // The scope frees q once the node has saved its own alias of it.
    return recordGrad(out, [x, y], y.requiresGrad ? [q] : [], (g, saved) => [
      x.requiresGrad ? reduceTo(g, xShape) : null,
      y.requiresGrad ? reduceTo(g.mul(saved[0]!).neg(), yShape) : null,
    ]);
  });
}

/** torch.fmod: the remainder of trunc division (the sign of a). */
export const fmod = (a: TensorOrScalar, b: TensorOrScalar): Tensor => modOp('fmod', 'fmod_cpu', 'trunc', a, b);
/** torch.remainder (Python's %): the remainder of floor division (the sign of b). */
export const remainder = (a: TensorOrScalar, b: TensorOrScalar): Tensor =>
  modOp('remainder', 'remainder_cpu', 'floor', a, b);

/** torch.div's keyword: null/undefined is true division, 'trunc' / 'floor' round the quotient. */
export interface DivOptions {
  roundingMode?: Rounding | null;
}

/**
 * torch.div(a, b, rounding_mode=...): a / b, or its quotient rounded toward zero ('trunc') or down
 * ('floor'); a rounded int32 quotient stays int32, a float division by 0 gives ±inf or NaN. The
 * rounded quotient's gradient is 0 for both inputs (PyTorch's), where floor_divide has none.
 */
export function divide(a: TensorOrScalar, b: TensorOrScalar, options: DivOptions = {}): Tensor {
  const mode = options.roundingMode ?? null;
  if (mode === null) return div(a, b);
  if (mode !== 'trunc' && mode !== 'floor')
    throw new Error(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(mode)}'`);
  return op('div', () => {
    const [out, x, y] = noGrad(() => {
      const d = divModOf('div', mode === 'trunc' ? 'div_trunc_cpu' : 'div_floor_cpu', mode, a, b);
      const q = d.x.dtype === 'float32' ? where(d.y.eq(0), d.x.div(d.y), d.q) : d.q;
      return [q, d.x, d.y] as const;
    });
    const zeros = (t: Tensor): Tensor | null => (t.requiresGrad ? constant(t.backend, 0, 'float32', t.shape) : null);
    return recordGrad(out, [x, y], [], () => [zeros(x), zeros(y)]);
  });
}

/**
 * torch.floor_divide: floor(a / b), consistent with remainder (a = q*b + remainder(a, b)); float
 * division by 0 gives +-inf or NaN. No derivative, as in PyTorch: backward through it is an error.
 */
export function floorDivide(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return op('floorDivide', () => {
    const [out, x, y] = noGrad(() => {
      const d = divModOf('floorDivide', 'div_floor_cpu', 'floor', a, b);
      const q = d.x.dtype === 'float32' ? where(d.y.eq(0), d.x.div(d.y), d.q) : d.q;
      return [q, d.x, d.y] as const;
    });
    return recordGrad(out, [x, y], [], () => {
      throw new Error('derivative for floor_divide is not implemented (PyTorch has none either)');
    });
  });
}

// ------------------------------------------------------------------ NaN and infinity

const falseLike = (x: Tensor, value: 0 | 1): Tensor => constant(x.backend, value, 'bool', x.shape);

export function isnan(x: Tensor): Tensor {
  return x.dtype === 'float32' ? x.ne(x) : falseLike(x, 0);
}
export function isinf(x: Tensor): Tensor {
  return x.dtype === 'float32' ? op('isinf', () => x.abs().eq(Infinity)) : falseLike(x, 0);
}
export function isfinite(x: Tensor): Tensor {
  return x.dtype === 'float32' ? op('isfinite', () => x.abs().lt(Infinity)) : falseLike(x, 1);
}

/**
 * torch.nan_to_num: NaN -> nan (0), +inf -> posinf (float32's largest), -inf -> neginf (its
 * lowest). The gradient is 0 where a value was replaced (it flows through `where`).
 */
export function nanToNum(x: Tensor, nan = 0, posinf?: number | null, neginf?: number | null): Tensor {
  if (x.dtype !== 'float32') return x.clone();
  return op('nanToNum', () => {
    const a = where(x.ne(x), nan, x);
    const b = where(x.eq(Infinity), posinf ?? FLOAT32_MAX, a);
    return where(x.eq(-Infinity), neginf ?? -FLOAT32_MAX, b);
  });
}

// ------------------------------------------------------------------ lerp, addcmul, addcdiv

function requireFloatArg(op: string, name: string, t: Tensor): void {
  if (t.dtype !== 'float32')
    throw new Error(
      `${op}: expected dtype float32 for \`${name}\` but got dtype ${t.dtype} (shape ${formatShape(t.shape)})`,
    );
}

/**
 * torch.lerp: start + weight * (end - start), written (as PyTorch) as end - (end - start)(1 - weight)
 * where |weight| >= 0.5 so that weight 1 gives end exactly.
 */
export function lerp(start: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
  requireFloatArg('lerp', 'self', start);
  requireFloatArg('lerp', 'end', end);
  if (typeof weight !== 'number') {
    requireFloatArg('lerp', 'weight', weight);
    commonBackend('lerp', [start, end, weight]);
  } else commonBackend('lerp', [start, end]);
  return op('lerp', () => {
    const diff = end.sub(start);
    if (typeof weight === 'number')
      return Math.abs(weight) < 0.5 ? start.add(diff.mul(weight)) : end.sub(diff.mul(1 - weight));
    return where(weight.abs().lt(0.5), start.add(diff.mul(weight)), end.sub(diff.mul(weight.neg().add(1))));
  });
}

export interface ValueOption {
  /** The scalar multiplier (PyTorch's keyword `value`, default 1). */
  value?: number;
}

/** torch.addcmul: input + value * tensor1 * tensor2, broadcasting. */
export function addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, options: ValueOption = {}): Tensor {
  commonBackend('addcmul', [input, tensor1, tensor2]);
  const value = options.value ?? 1;
  return op('addcmul', () => {
    const prod = tensor1.mul(tensor2);
    return input.add(value === 1 ? prod : prod.mul(value));
  });
}

/** torch.addcdiv: input + value * tensor1 / tensor2, broadcasting (integer tensor1 and tensor2 are refused, as in PyTorch). */
export function addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, options: ValueOption = {}): Tensor {
  commonBackend('addcdiv', [input, tensor1, tensor2]);
  if (tensor1.dtype !== 'float32' && tensor2.dtype !== 'float32') {
    throw new Error(
      'addcdiv: Integer division with addcdiv is no longer supported; use (input + value * torch.trunc(tensor1 / tensor2)) for integer inputs',
    );
  }
  const value = options.value ?? 1;
  return op('addcdiv', () => {
    const quot = tensor1.div(tensor2);
    return input.add(value === 1 ? quot : quot.mul(value));
  });
}

// ------------------------------------------------------------------ logical, comparisons

function truthy(x: Tensor): Tensor {
  return castNoGrad(castNoGrad(x, 'bool'), 'int32');
}
export function logicalOr(a: Tensor, b: Tensor): Tensor {
  commonBackend('logicalOr', [a, b]);
  return op('logicalOr', () => castNoGrad(maximum(truthy(a), truthy(b)), 'bool'));
}
export function logicalXor(a: Tensor, b: Tensor): Tensor {
  commonBackend('logicalXor', [a, b]);
  return op('logicalXor', () => truthy(a).ne(truthy(b)));
}

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  /** NaN equals NaN (PyTorch's equal_nan). */
  equalNan?: boolean;
}

/** torch.isclose: |a - b| <= atol + rtol * |b| elementwise (equal infinities are close; NaN only with equalNan). */
export function isclose(a: Tensor, b: Tensor, options: CloseOptions = {}): Tensor {
  commonBackend('isclose', [a, b]);
  if (a.dtype !== b.dtype)
    throw new Error(
      `isclose: ${torchTypeName(a.dtype)} did not match ${torchTypeName(b.dtype)} (both inputs need one dtype)`,
    );
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-8;
  if (rtol < 0 || atol < 0)
    throw new Error(`isclose: rtol and atol must be non-negative (got rtol=${rtol}, atol=${atol})`);
  return noGrad(() =>
    op('isclose', () => {
      let close = a.eq(b);
      if (a.dtype !== 'float32') {
        if (rtol === 0 && atol === 0) return close;
        const fa = castNoGrad(a, 'float32');
        const fb = castNoGrad(b, 'float32');
        return logicalOr(close, fa.sub(fb).abs().le(fb.abs().mul(rtol).add(atol)));
      }
      if (options.equalNan) close = logicalOr(close, logicalAnd(a.ne(a), b.ne(b)));
      const err = a.sub(b).abs();
      return logicalOr(close, logicalAnd(err.lt(Infinity), err.le(b.abs().mul(rtol).add(atol))));
    }),
  );
}

/** torch.allclose: a JavaScript boolean, so it reads one value back (as PyTorch's Python bool does). */
export function allclose(a: Tensor, b: Tensor, options: CloseOptions = {}): boolean {
  return op('allclose', () => isclose(a, b, options).all().item() !== 0);
}

/** torch.equal: same shape and the same values (dtypes promoted; NaN is never equal). Reads one value back. */
export function equal(a: Tensor, b: Tensor): boolean {
  commonBackend('equal', [a, b]);
  if (!shapesEqual(a.shape, b.shape)) return false;
  return op('equal', () => a.eq(b).all().item() !== 0);
}
