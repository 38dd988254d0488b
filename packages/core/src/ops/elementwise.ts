/** Elementwise ops (unary, binary with broadcasting, where) and their gradient rules. */
import type { DType } from '../backend/kernels.js';
import { formatShape, shapesEqual } from '../backend/shape.js';
import { isGradEnabled, noGrad as noGradCompute } from '../autograd/grad-mode.js';
import type { Tensor, TensorOrScalar } from '../tensor/tensor.js';
import { broadcastShapes, castNoGrad, coerceOperands, commonBackend, constant, output } from './util.js';
import { sumToShape } from './reduce.js';
import { op, recordGrad, recordsGrad, type OpSpec } from './op.js';
import {
  activationBackwardKernel,
  compareKernel,
  leakyReluKernel,
  unaryKernel,
  type ActivationBackwardName,
  type OptionalUnaryName,
} from './optional-kernels.js';

type UnaryName =
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'reciprocal'
  | 'square'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'gelu'
  | 'erf'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'log1p'
  | 'expm1';

/** Ops that keep an int32 input int32 (everything else computes in float32). */
const INT_PRESERVING = new Set<string>(['neg', 'abs', 'sign', 'square', 'relu', 'floor', 'ceil', 'round']);
const OPTIONAL_UNARY = new Set<string>(['sigmoid', 'rsqrt', 'reciprocal', 'square', 'sign']);

/** Runs inside the op's scope: the cast of a bool/int input is freed with it. */
function unaryForward(name: UnaryName, x: Tensor): Tensor {
  let input = x;
  if (x.dtype === 'bool') input = castNoGrad(x, INT_PRESERVING.has(name) ? 'int32' : 'float32');
  else if (x.dtype === 'int32' && !INT_PRESERVING.has(name)) input = castNoGrad(x, 'float32');
  if ((name === 'floor' || name === 'ceil' || name === 'round') && input.dtype === 'int32') {
    return input === x ? x.clone() : input;
  }
  if (OPTIONAL_UNARY.has(name)) return unaryKernel(name as OptionalUnaryName, input);
  const kernel = input.backend.kernels[name as Exclude<UnaryName, OptionalUnaryName>];
  return output(input.backend, kernel(input.ref), input.shape, input.dtype);
}

/** f'(x) in core ops of x and/or y = f(x); `saves` says which of the two the rule reads. */
interface UnaryRule {
  readonly derivative: (x: Tensor, y: Tensor) => Tensor;
  /** The whole gradient from g, where it is not g * derivative. */
  readonly gradient?: (g: Tensor, x: Tensor, y: Tensor) => Tensor;
  readonly saves: 'x' | 'y' | 'xy';
}

const zeroDerivative: UnaryRule = { derivative: (x) => zerosLikeNoGrad(x), saves: 'x' };

/** The gradient rules, made once (an op call allocates none of them). */
const UNARY_RULES: Partial<Record<UnaryName, UnaryRule>> = {
  abs: { derivative: (x) => x.sign(), saves: 'x' },
  sign: zeroDerivative,
  exp: { derivative: (_x, y) => y.clone(), saves: 'y' },
  log: { derivative: (x) => x.reciprocal(), saves: 'x' },
  sqrt: { derivative: (_x, y) => y.mul(2).reciprocal(), saves: 'y' },
  rsqrt: { derivative: (_x, y) => y.pow(3).mul(-0.5), saves: 'y' },
  reciprocal: { derivative: (_x, y) => y.square().neg(), saves: 'y' },
  square: { derivative: (x) => x.mul(2), saves: 'x' },
  sin: { derivative: (x) => x.cos(), saves: 'x' },
  cos: { derivative: (x) => x.sin().neg(), saves: 'x' },
  tanh: { derivative: (_x, y) => y.square().neg().add(1), saves: 'y' },
  sigmoid: { derivative: (_x, y) => y.mul(y.neg().add(1)), saves: 'y' },
  relu: {
    derivative: (_x, y) => castNoGrad(y.gt(0), 'float32'),
    // PyTorch's threshold_backward: 0 where the unit is off, even for an infinite g (not 0 * inf).
    gradient: (g, _x, y) => where(y.gt(0), g, 0),
    saves: 'y',
  },
  erf: {
    derivative: (x) =>
      x
        .square()
        .neg()
        .exp()
        .mul(2 / Math.sqrt(Math.PI)),
    saves: 'x',
  },
  floor: zeroDerivative,
  ceil: zeroDerivative,
  round: zeroDerivative,
  log1p: { derivative: (x) => x.add(1).reciprocal(), saves: 'x' },
  expm1: { derivative: (_x, y) => y.add(1), saves: 'y' },
  /** Exact GELU; d/dx = Phi(x) + x * phi(x). */
  gelu: {
    derivative: (x) => {
      const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
      const pdf = x
        .square()
        .mul(-0.5)
        .exp()
        .mul(1 / Math.sqrt(2 * Math.PI));
      return cdf.add(x.mul(pdf));
    },
    saves: 'x',
  },
};

/** The activations whose gradient from their output has a one-pass optional kernel. */
const ACTIVATION_BACKWARD: Partial<Record<UnaryName, ActivationBackwardName>> = {
  relu: 'reluBackward',
  sigmoid: 'sigmoidBackward',
  tanh: 'tanhBackward',
};

/** Unary op whose gradient is g * f'(x) (UNARY_RULES). */
function unary(name: UnaryName, x: Tensor): Tensor {
  return op(name, () => {
    const out = unaryForward(name, x);
    if (!recordsGrad(x)) return out;
    const rule = UNARY_RULES[name]!;
    const save = rule.saves === 'x' ? [x] : rule.saves === 'y' ? [out] : [x, out];
    const fused = ACTIVATION_BACKWARD[name];
    return recordGrad(out, [x], save, (g, saved) => {
      const sx = rule.saves === 'y' ? null : saved[0]!;
      const sy = rule.saves === 'x' ? null : saved[rule.saves === 'y' ? 0 : 1]!;
      // One pass instead of two to four kernels, when the backward itself is not recorded.
      if (fused !== undefined && !isGradEnabled()) return [activationBackwardKernel(fused, g, sy!)];
      return [rule.gradient !== undefined ? rule.gradient(g, sx!, sy!) : g.mul(rule.derivative(sx!, sy!))];
    });
  });
}

export const neg = (x: Tensor): Tensor =>
  op('neg', () => {
    if (x.dtype === 'bool')
      throw new Error(
        'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
      );
    return recordGrad(unaryForward('neg', x), [x], [], (g) => [g.neg()]);
  });
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const sign = (x: Tensor): Tensor => unary('sign', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', x);
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x);
export const square = (x: Tensor): Tensor => unary('square', x);
export const sin = (x: Tensor): Tensor => unary('sin', x);
export const cos = (x: Tensor): Tensor => unary('cos', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const relu = (x: Tensor): Tensor => unary('relu', x);
export const erf = (x: Tensor): Tensor => unary('erf', x);
export const floor = (x: Tensor): Tensor => unary('floor', x);
export const ceil = (x: Tensor): Tensor => unary('ceil', x);
export const round = (x: Tensor): Tensor => unary('round', x);
export const log1p = (x: Tensor): Tensor => unary('log1p', x);
export const expm1 = (x: Tensor): Tensor => unary('expm1', x);
/** Exact GELU. */
export const gelu = (x: Tensor): Tensor => unary('gelu', x);

/** GELU with approximate: 'none' | 'tanh' (PyTorch's F.gelu). */
export function geluApprox(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'none') return gelu(x);
  const k = Math.sqrt(2 / Math.PI);
  return op('gelu', () => {
    const inner = x.add(x.pow(3).mul(0.044715)).mul(k);
    return x.mul(0.5).mul(inner.tanh().add(1));
  });
}

const LEAKY_RELU: OpSpec = { name: 'leakyRelu', float: true };

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return op(LEAKY_RELU, [x], () =>
    recordGrad(leakyReluKernel(x, negativeSlope), [x], [x], (g, [sx]) => [g.mul(where(sx!.gt(0), 1, negativeSlope))]),
  );
}

function zerosLikeNoGrad(x: Tensor): Tensor {
  return constant(x.backend, 0, 'float32', x.shape);
}

// ------------------------------------------------------------------ binary

type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';
type CompareName = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

function binaryForward(name: BinaryName | CompareName, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const backend = a.backend;
  if (name === 'ne' || name === 'le' || name === 'ge') return compareKernel(name, a, b, shape);
  const dtype: DType = name.length === 2 ? 'bool' : a.dtype;
  return output(backend, backend.kernels[name](a.ref, b.ref, shape), shape, dtype);
}

/** Whether a binary op saves an operand: always, or only when input a (b) needs a gradient. */
type Saved = boolean | 'ifA' | 'ifB';

/** A binary op's gradients (before the sum back over broadcast dims) and what they read. */
interface BinaryRule {
  readonly grads: (
    g: Tensor,
    a: Tensor,
    b: Tensor,
    out: Tensor,
    needA: boolean,
    needB: boolean,
  ) => [Tensor | null, Tensor | null];
  readonly saves: { readonly a: Saved; readonly b: Saved; readonly out: Saved };
  /** Computes in float32 (ints are cast first). */
  readonly floatOnly?: boolean;
}

function binary(name: BinaryName, x: TensorOrScalar, y: TensorOrScalar, rule: BinaryRule): Tensor {
  return op(name, () => {
    let [a, b] = coerceOperands(name, x, y);
    // bool + bool stays bool (PyTorch): a logical or, so 1 + 1 must not store 2
    if (name === 'add' && a.dtype === 'bool')
      return castNoGrad(binaryForward('add', castNoGrad(a, 'int32'), castNoGrad(b, 'int32')), 'bool');
    if (rule.floatOnly === true && a.dtype !== 'float32') {
      a = castNoGrad(a, 'float32');
      b = castNoGrad(b, 'float32');
    }
    const out = binaryForward(name, a, b);
    if (!recordsGrad(a, b)) return out;
    const aShape = a.shape;
    const bShape = b.shape;
    const needA = a.requiresGrad;
    const needB = b.requiresGrad;
    // Save only what the gradients to be computed read: x.mul_(c) must not save (and then find
    // overwritten) the x it does not need, as in PyTorch.
    const wanted = (s: Saved): boolean => s === true || (s === 'ifA' && needA) || (s === 'ifB' && needB);
    const [saveA, saveB, saveOut] = [wanted(rule.saves.a), wanted(rule.saves.b), wanted(rule.saves.out)];
    const saveList: Tensor[] = [];
    if (saveA) saveList.push(a);
    if (saveB) saveList.push(b);
    if (saveOut) saveList.push(out);
    // Casts and scalar constants never require grad: only the caller's tensors get gradients.
    return recordGrad(out, [a, b], saveList, (g, saved) => {
      let i = 0;
      const sa = saveA ? saved[i++]! : (null as unknown as Tensor);
      const sb = saveB ? saved[i++]! : (null as unknown as Tensor);
      const so = saveOut ? saved[i++]! : (null as unknown as Tensor);
      const [ga, gb] = rule.grads(g, sa, sb, so, needA, needB);
      return [reduceTo(ga, aShape), reduceTo(gb, bShape)];
    });
  });
}

/** Sum a broadcast gradient back to an input's shape. */
function reduceTo(g: Tensor | null, shape: readonly number[]): Tensor | null {
  if (g === null) return null;
  return shapesEqual(g.shape, shape) ? g : sumToShape(g, shape);
}

const ADD: BinaryRule = { grads: (g) => [g, g], saves: { a: false, b: false, out: false } };
const SUB: BinaryRule = { grads: (g) => [g, g.neg()], saves: { a: false, b: false, out: false } };
const MUL: BinaryRule = {
  grads: (g, a, b, _out, needA, needB) => [needA ? g.mul(b) : null, needB ? g.mul(a) : null],
  saves: { a: 'ifB', b: 'ifA', out: false },
};
const DIV: BinaryRule = {
  grads: (g, _a, b, out, needA, needB) => [needA ? g.div(b) : null, needB ? g.mul(out).div(b).neg() : null],
  saves: { a: false, b: true, out: 'ifB' },
  floatOnly: true,
};
const POW: BinaryRule = {
  grads: (g, a, b, out, needA, needB) => {
    // PyTorch's pow_backward_self: 0 where the exponent is 0 (b a^(b-1) is 0 * inf at a = 0).
    const ga = needA ? where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))) : null;
    // pow_backward_exponent: a^b ln a, taken as 0 where a == 0 and b >= 0 (-inf for b < 0).
    const gb = needB ? g.mul(where(logicalAnd(a.eq(0), b.ge(0)), 0, out.mul(a.log()))) : null;
    return [ga, gb];
  },
  saves: { a: true, b: true, out: true },
  floatOnly: true,
};
/** Gradient flows to the larger input; ties split it evenly (as PyTorch). */
const MAXIMUM: BinaryRule = {
  grads: (g, a, b) => tieSplit(g, a.lt(b), a.gt(b), a.eq(b)),
  saves: { a: true, b: true, out: false },
};
const MINIMUM: BinaryRule = {
  grads: (g, a, b) => tieSplit(g, a.gt(b), a.lt(b), a.eq(b)),
  saves: { a: true, b: true, out: false },
};

const isBool = (v: TensorOrScalar): boolean => typeof v !== 'number' && v.dtype === 'bool';

/** add's and sub's alpha: a number, or PyTorch's keyword as an options object (`x.add(y, { alpha: 2 })`). */
export type Alpha = number | { alpha?: number };

export function add(x: TensorOrScalar, y: TensorOrScalar, alphaOrOptions?: Alpha): Tensor {
  const alpha = typeof alphaOrOptions === 'object' ? alphaOrOptions.alpha : alphaOrOptions;
  // bool + alpha * bool is still a logical or for any alpha != 0 (PyTorch)
  if (alpha !== undefined && alpha !== 0 && isBool(x) && isBool(y)) return binary('add', x, y, ADD);
  if (alpha !== undefined && alpha !== 1)
    return typeof y === 'number' ? add(x, y * alpha) : op('add', () => add(x, mul(y, alpha)));
  return binary('add', x, y, ADD);
}
export function sub(x: TensorOrScalar, y: TensorOrScalar, alphaOrOptions?: Alpha): Tensor {
  const alpha = typeof alphaOrOptions === 'object' ? alphaOrOptions.alpha : alphaOrOptions;
  if (isBool(x) && isBool(y))
    throw new Error(
      'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.',
    );
  if (isBool(x) || isBool(y))
    throw new Error(
      'Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
    );
  if (alpha !== undefined && alpha !== 1)
    return typeof y === 'number' ? sub(x, y * alpha) : op('sub', () => sub(x, mul(y, alpha)));
  return binary('sub', x, y, SUB);
}
export function mul(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return binary('mul', x, y, MUL);
}
export function div(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return binary('div', x, y, DIV);
}
export function pow(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  if (typeof x !== 'number' && typeof y !== 'number' && x.dtype !== 'float32' && y.dtype !== 'float32')
    return integerPow(x, y);
  if (typeof y !== 'number' || typeof x === 'number') return binary('pow', x, y, POW);
  if (x.dtype !== 'float32' && Number.isInteger(y) && y < 0)
    throw new Error('Integers to negative integer powers are not allowed.');
  // Scalar exponent: the common case (x**2, x**0.5); no log(x) in the gradient.
  if (y === 2) return square(x);
  return op('pow', () => {
    const [a, b] = coerceOperands('pow', x, y);
    // A cast of an int/bool base never requires grad, so it records nothing.
    return recordGrad(binaryForward('pow', a, b), [a], [a], (g, [base]) => {
      // Exponent 0 has gradient 0 everywhere, as PyTorch (0 * 0^-1 would be NaN at x = 0), and
      // exponent 1 passes g (no 0^0 to evaluate).
      if (y === 0) return [constant(g.backend, 0, g.dtype, g.shape)];
      if (y === 1) return [g];
      return [g.mul(base!.pow(y - 1).mul(y))];
    });
  });
}
/**
 * int32/bool tensor ** int32/bool tensor is int32, as PyTorch's integer pow (int64 there): computed
 * in float32 and rounded (exact while |result| < 2^24); a negative exponent gives 0 unless the
 * base is ±1 (PyTorch's powi), 0 ** negative gives 0; bool ** bool is PyTorch's error.
 */
function integerPow(x: Tensor, y: Tensor): Tensor {
  if (x.dtype === 'bool' && y.dtype === 'bool') throw new Error(`"pow" not implemented for 'Bool'`);
  return op('pow', () => {
    const real = binary('pow', x, y, POW);
    return castNoGrad(where(real.abs().lt(2 ** 31), real.round(), 0), 'int32');
  });
}
/** Gradient flows to the larger input; ties split it evenly (as PyTorch). */
export function maximum(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return binary('maximum', x, y, MAXIMUM);
}
export function minimum(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return binary('minimum', x, y, MINIMUM);
}
/**
 * PyTorch's rule: each input gets g unless it loses (0) or ties (g / 2). Where a NaN is compared
 * nothing loses or ties, so both inputs get g there (as torch.maximum's backward).
 */
function tieSplit(g: Tensor, aLoses: Tensor, bLoses: Tensor, ties: Tensor): [Tensor, Tensor] {
  const share = where(ties, 0.5, 1);
  return [g.mul(where(aLoses, 0, share)), g.mul(where(bLoses, 0, share))];
}

function compare(name: CompareName, x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return op(name, () => {
    const [a, b] = coerceOperands(name, x, y);
    return binaryForward(name, a, b);
  });
}
export const eq = (x: TensorOrScalar, y: TensorOrScalar): Tensor => compare('eq', x, y);
export const ne = (x: TensorOrScalar, y: TensorOrScalar): Tensor => compare('ne', x, y);
export const lt = (x: TensorOrScalar, y: TensorOrScalar): Tensor => compare('lt', x, y);
export const le = (x: TensorOrScalar, y: TensorOrScalar): Tensor => compare('le', x, y);
export const gt = (x: TensorOrScalar, y: TensorOrScalar): Tensor => compare('gt', x, y);
export const ge = (x: TensorOrScalar, y: TensorOrScalar): Tensor => compare('ge', x, y);

export function logicalNot(x: Tensor): Tensor {
  return compare('eq', x, 0);
}
export function logicalAnd(x: Tensor, y: Tensor): Tensor {
  // Nonzero -> true, then AND as a product of 0/1 integers.
  return op('logicalAnd', [x, y], () => {
    const a = castNoGrad(castNoGrad(x, 'bool'), 'int32');
    const b = castNoGrad(castNoGrad(y, 'bool'), 'int32');
    return castNoGrad(binaryForward('mul', a, b), 'bool');
  });
}

// ------------------------------------------------------------------ where, clamp, cast

/** torch.where(cond, a, b): cond broadcasts with a and b; gradients flow to the chosen side. */
export function where(cond: Tensor, x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return op('where', () => {
    const c = cond.dtype === 'bool' ? cond : castNoGrad(cond, 'bool');
    const [a, b] =
      typeof x === 'number' && typeof y === 'number'
        ? [constant(cond.backend, x, 'float32'), constant(cond.backend, y, 'float32')]
        : coerceOperands('where', x, y);
    commonBackend('where', [c, a, b]);
    const shape = broadcastShapes('where', broadcastShapes('where', c.shape, a.shape), b.shape);
    const out = output(a.backend, a.backend.kernels.where(c.ref, a.ref, b.ref, shape), shape, a.dtype);
    const aShape = a.shape;
    const bShape = b.shape;
    // Gradients go to the branch each element was taken from, through where() itself (recorded),
    // so a createGraph backward is differentiable again.
    return recordGrad(out, [a, b], [c], (g, [cc]) => [
      reduceTo(where(cc!, g, 0), aShape),
      reduceTo(where(cc!, 0, g), bShape),
    ]);
  });
}

export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== 'bool') throw new Error(`maskedFill: expected a bool mask, got ${mask.dtype}`);
  if (!shapesEqual(broadcastShapes('maskedFill', x.shape, mask.shape), x.shape)) {
    throw new Error(
      `maskedFill: mask of shape ${formatShape(mask.shape)} would change the shape of the tensor ${formatShape(x.shape)}`,
    );
  }
  return op('maskedFill', () => where(mask, constant(x.backend, value, x.dtype), x));
}

/** clamp: the gradient passes where min <= x <= max (inclusive, as PyTorch). */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  return clampWith('clamp', x, min, max, true);
}

/**
 * F.hardtanh (and relu6): clamp's values, but the gradient passes only strictly inside
 * (min, max): PyTorch's hardtanh_backward gives 0 at the bounds, where clamp's passes.
 */
export function hardtanh(x: Tensor, min: number, max: number): Tensor {
  return clampWith('hardtanh', x, min, max, false);
}

function clampWith(
  name: 'clamp' | 'hardtanh',
  x: Tensor,
  min: number | null | undefined,
  max: number | null | undefined,
  boundsPass: boolean,
): Tensor {
  const hasMin = min !== undefined && min !== null;
  const hasMax = max !== undefined && max !== null;
  if (!hasMin && !hasMax) throw new Error("clamp: at least one of 'min' or 'max' must not be None");
  return op(name, () => {
    const out = noGradCompute(() => {
      const lo = hasMin ? maximum(x, min) : x;
      const hi = hasMax ? minimum(lo, max) : lo;
      return hi === x ? x.clone() : hi;
    });
    return recordGrad(out, [x], [x], (g, [v]) => {
      let mask = castNoGrad(v!.eq(v!), 'float32');
      if (hasMin) mask = mask.mul(castNoGrad(boundsPass ? v!.ge(min) : v!.gt(min), 'float32'));
      if (hasMax) mask = mask.mul(castNoGrad(boundsPass ? v!.le(max) : v!.lt(max), 'float32'));
      return [g.mul(mask)];
    });
  });
}

/** Cast to `dtype`; casts carry no gradient (float->float is the identity), as in PyTorch. */
export const cast = castNoGrad;
