/** Elementwise ops (unary, binary with broadcasting, where) and their gradient rules. */
import type { DType } from '../backend/kernels.js';
import { formatShape, shapesEqual } from '../backend/shape.js';
import { record } from '../autograd/engine.js';
import { noGrad as noGradCompute } from '../autograd/grad-mode.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor, TensorOrScalar } from '../tensor/tensor.js';
import { broadcastShapes, castNoGrad, coerceOperands, commonBackend, constant, output, requireFloat } from './util.js';
import { sumToShape } from './reduce.js';

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

function unaryForward(name: UnaryName, x: Tensor): Tensor {
  let input = x;
  if (x.dtype === 'bool') input = castNoGrad(x, INT_PRESERVING.has(name) ? 'int32' : 'float32');
  else if (x.dtype === 'int32' && !INT_PRESERVING.has(name)) input = castNoGrad(x, 'float32');
  if ((name === 'floor' || name === 'ceil' || name === 'round') && input.dtype === 'int32') {
    return input === x ? x.clone() : input;
  }
  const out = output(input.backend, input.backend.kernels[name](input.ref), input.shape, input.dtype);
  if (input !== x) input.dispose();
  return out;
}

/** Unary op whose gradient is g * f'(x) with f' expressed in core ops of x and/or y = f(x). */
function unary(
  name: UnaryName,
  x: Tensor,
  derivative: ((x: Tensor, y: Tensor) => Tensor) | null,
  saves: 'x' | 'y' | 'xy' = 'x',
): Tensor {
  const out = unaryForward(name, x);
  if (derivative === null) return out;
  const saveList = saves === 'x' ? [x] : saves === 'y' ? [out] : [x, out];
  return record(`${name}`, out, [x], saveList, (saved) => (g) => {
    const sx = saves === 'y' ? null : saved[0]!.get();
    const sy = saves === 'x' ? null : saved[saves === 'y' ? 0 : 1]!.get();
    const d = derivative(sx!, sy!);
    const gi = g.mul(d);
    d.dispose();
    return [gi];
  });
}

export const neg = (x: Tensor): Tensor => {
  const out = unaryForward('neg', x);
  return record('neg', out, [x], [], () => (g) => [g.neg()]);
};
export const abs = (x: Tensor): Tensor => unary('abs', x, (x) => x.sign());
export const sign = (x: Tensor): Tensor => unary('sign', x, (x) => zerosLikeNoGrad(x));
export const exp = (x: Tensor): Tensor => unary('exp', x, (_x, y) => y.clone(), 'y');
export const log = (x: Tensor): Tensor => unary('log', x, (x) => x.reciprocal());
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x, (_x, y) => y.mul(2).reciprocal(), 'y');
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', x, (_x, y) => y.pow(3).mul(-0.5), 'y');
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x, (_x, y) => y.square().neg(), 'y');
export const square = (x: Tensor): Tensor => unary('square', x, (x) => x.mul(2));
export const sin = (x: Tensor): Tensor => unary('sin', x, (x) => x.cos());
export const cos = (x: Tensor): Tensor => unary('cos', x, (x) => x.sin().neg());
export const tanh = (x: Tensor): Tensor => unary('tanh', x, (_x, y) => y.square().neg().add(1), 'y');
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x, (_x, y) => y.mul(y.neg().add(1)), 'y');
export const relu = (x: Tensor): Tensor => unary('relu', x, (_x, y) => castNoGrad(y.gt(0), 'float32'), 'y');
export const erf = (x: Tensor): Tensor =>
  unary('erf', x, (x) =>
    x
      .square()
      .neg()
      .exp()
      .mul(2 / Math.sqrt(Math.PI)),
  );
export const floor = (x: Tensor): Tensor => unary('floor', x, (x) => zerosLikeNoGrad(x));
export const ceil = (x: Tensor): Tensor => unary('ceil', x, (x) => zerosLikeNoGrad(x));
export const round = (x: Tensor): Tensor => unary('round', x, (x) => zerosLikeNoGrad(x));
export const log1p = (x: Tensor): Tensor => unary('log1p', x, (x) => x.add(1).reciprocal());
export const expm1 = (x: Tensor): Tensor => unary('expm1', x, (_x, y) => y.add(1), 'y');
/** Exact GELU; d/dx = Phi(x) + x * phi(x). */
export const gelu = (x: Tensor): Tensor =>
  unary('gelu', x, (x) => {
    const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
    const pdf = x
      .square()
      .mul(-0.5)
      .exp()
      .mul(1 / Math.sqrt(2 * Math.PI));
    return cdf.add(x.mul(pdf));
  });

/** GELU with approximate: 'none' | 'tanh' (PyTorch's F.gelu). */
export function geluApprox(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'none') return gelu(x);
  const k = Math.sqrt(2 / Math.PI);
  return tidy(() => {
    const inner = x.add(x.pow(3).mul(0.044715)).mul(k);
    return x.mul(0.5).mul(inner.tanh().add(1));
  });
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  requireFloat('leakyRelu', x);
  const out = output(x.backend, x.backend.kernels.leakyRelu(x.ref, negativeSlope), x.shape, x.dtype);
  return record('leakyRelu', out, [x], [x], ([sx]) => (g) => {
    const pos = sx!.get().gt(0);
    const d = where(pos, 1, negativeSlope);
    pos.dispose();
    const gi = g.mul(d);
    d.dispose();
    return [gi];
  });
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
  const dtype: DType = name.length === 2 ? 'bool' : a.dtype;
  return output(backend, backend.kernels[name](a.ref, b.ref, shape), shape, dtype);
}

/** Whether a binary op saves an operand: always, or only when input a (b) needs a gradient. */
type Saved = boolean | 'ifA' | 'ifB';

function binary(
  name: BinaryName,
  x: TensorOrScalar,
  y: TensorOrScalar,
  grads: (
    g: Tensor,
    a: Tensor,
    b: Tensor,
    out: Tensor,
    needA: boolean,
    needB: boolean,
  ) => [Tensor | null, Tensor | null],
  saves: { a: Saved; b: Saved; out: Saved },
  floatOnly = false,
): Tensor {
  let [a, b, aTemp, bTemp] = coerceOperands(name, x, y);
  if (floatOnly && a.dtype !== 'float32') {
    const fa = castNoGrad(a, 'float32');
    const fb = castNoGrad(b, 'float32');
    if (aTemp) a.dispose();
    if (bTemp) b.dispose();
    [a, b, aTemp, bTemp] = [fa, fb, true, true];
  }
  const out = binaryForward(name, a, b);
  // Record against the caller's tensors (the originals carry requiresGrad).
  const inputs = [a, b];
  const aShape = a.shape;
  const bShape = b.shape;
  const needA = a.requiresGrad;
  const needB = b.requiresGrad;
  // Save only what the gradients to be computed read: x.mul_(c) must not save (and then find
  // overwritten) the x it does not need, as in PyTorch.
  const wanted = (s: Saved): boolean => s === true || (s === 'ifA' && needA) || (s === 'ifB' && needB);
  const [saveA, saveB, saveOut] = [wanted(saves.a), wanted(saves.b), wanted(saves.out)];
  const saveList: Tensor[] = [];
  if (saveA) saveList.push(a);
  if (saveB) saveList.push(b);
  if (saveOut) saveList.push(out);
  const result = record(name, out, inputs, saveList, (saved) => (g) => {
    let i = 0;
    const sa = saveA ? saved[i++]!.get() : (null as unknown as Tensor);
    const sb = saveB ? saved[i++]!.get() : (null as unknown as Tensor);
    const so = saveOut ? saved[i++]!.get() : (null as unknown as Tensor);
    const [ga, gb] = grads(g, sa, sb, so, needA, needB);
    return [reduceTo(ga, aShape), reduceTo(gb, bShape)];
  });
  // Temporaries (scalar constants, casts of non-float inputs) never require grad; saved ones stay
  // alive through their alias.
  if (aTemp) a.dispose();
  if (bTemp) b.dispose();
  return result;
}

/** Sum a broadcast gradient back to an input's shape. */
function reduceTo(g: Tensor | null, shape: readonly number[]): Tensor | null {
  if (g === null) return null;
  // Rules run inside tidy(): no disposes here (`g` may be shared by both inputs).
  return shapesEqual(g.shape, shape) ? g : sumToShape(g, shape);
}

export function add(x: TensorOrScalar, y: TensorOrScalar, alpha?: number): Tensor {
  if (alpha !== undefined && alpha !== 1)
    return typeof y === 'number' ? add(x, y * alpha) : tidy(() => add(x, mul(y, alpha)));
  return binary('add', x, y, (g) => [g, g], { a: false, b: false, out: false });
}
export function sub(x: TensorOrScalar, y: TensorOrScalar, alpha?: number): Tensor {
  if (alpha !== undefined && alpha !== 1)
    return typeof y === 'number' ? sub(x, y * alpha) : tidy(() => sub(x, mul(y, alpha)));
  return binary('sub', x, y, (g) => [g, g.neg()], { a: false, b: false, out: false });
}
export function mul(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return binary('mul', x, y, (g, a, b, _out, needA, needB) => [needA ? g.mul(b) : null, needB ? g.mul(a) : null], {
    a: 'ifB',
    b: 'ifA',
    out: false,
  });
}
export function div(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return binary(
    'div',
    x,
    y,
    (g, _a, b, out, needA, needB) => [needA ? g.div(b) : null, needB ? g.mul(out).div(b).neg() : null],
    { a: false, b: true, out: 'ifB' },
    true,
  );
}
export function pow(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  if (typeof y === 'number' && typeof x !== 'number') {
    // Scalar exponent: the common case (x**2, x**0.5); no log(x) in the gradient.
    if (y === 2) return square(x);
    const [a, b, aTemp, bTemp] = coerceOperands('pow', x, y);
    const out = binaryForward('pow', a, b);
    if (bTemp) b.dispose();
    const result = record('pow', out, [a], [a], ([sa]) => (g) => {
      // Exponent 0 has gradient 0 everywhere, as PyTorch (0 * 0^-1 would be NaN at x = 0), and
      // exponent 1 passes g (no 0^0 to evaluate).
      if (y === 0) return [constant(g.backend, 0, g.dtype, g.shape)];
      if (y === 1) return [g];
      const base = sa!.get();
      const d = base.pow(y - 1).mul(y);
      const gi = g.mul(d);
      d.dispose();
      return [gi];
    });
    // A cast of an int/bool base never requires grad, so nothing recorded it.
    if (aTemp) a.dispose();
    return result;
  }
  return binary(
    'pow',
    x,
    y,
    (g, a, b, out, needA, needB) => {
      // PyTorch's pow_backward_self: 0 where the exponent is 0 (b a^(b-1) is 0 * inf at a = 0).
      const ga = needA ? where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))) : null;
      // pow_backward_exponent: a^b ln a, taken as 0 where a == 0 and b >= 0 (-inf for b < 0).
      const gb = needB ? g.mul(where(logicalAnd(a.eq(0), b.ge(0)), 0, out.mul(a.log()))) : null;
      return [ga, gb];
    },
    { a: true, b: true, out: true },
    true,
  );
}
/** Gradient flows to the larger input; ties split it evenly (as PyTorch). */
export function maximum(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return binary('maximum', x, y, (g, a, b) => tieSplit(g, a.gt(b), a.eq(b)), { a: true, b: true, out: false });
}
export function minimum(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  return binary('minimum', x, y, (g, a, b) => tieSplit(g, a.lt(b), a.eq(b)), { a: true, b: true, out: false });
}
function tieSplit(g: Tensor, wins: Tensor, ties: Tensor): [Tensor, Tensor] {
  const wa = where(wins, 1, where(ties, 0.5, 0));
  const ga = g.mul(wa);
  const gb = g.sub(ga);
  return [ga, gb];
}

function compare(name: CompareName, x: TensorOrScalar, y: TensorOrScalar): Tensor {
  const [a, b, aTemp, bTemp] = coerceOperands(name, x, y);
  const out = binaryForward(name, a, b);
  if (aTemp) a.dispose();
  if (bTemp) b.dispose();
  return out;
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
  commonBackend('logicalAnd', [x, y]);
  // Nonzero -> true, then AND as a product of 0/1 integers; tidy frees the casts and the product.
  return tidy(() => {
    const a = castNoGrad(castNoGrad(x, 'bool'), 'int32');
    const b = castNoGrad(castNoGrad(y, 'bool'), 'int32');
    return castNoGrad(mulNoGrad(a, b), 'bool');
  });
}
function mulNoGrad(a: Tensor, b: Tensor): Tensor {
  return binaryForward('mul', a, b);
}

// ------------------------------------------------------------------ where, clamp, cast

/** torch.where(cond, a, b): cond broadcasts with a and b; gradients flow to the chosen side. */
export function where(cond: Tensor, x: TensorOrScalar, y: TensorOrScalar): Tensor {
  const c = cond.dtype === 'bool' ? cond : castNoGrad(cond, 'bool');
  let a: Tensor;
  let b: Tensor;
  let aTemp: boolean;
  let bTemp: boolean;
  if (typeof x === 'number' && typeof y === 'number') {
    [a, b, aTemp, bTemp] = [constant(cond.backend, x, 'float32'), constant(cond.backend, y, 'float32'), true, true];
  } else {
    [a, b, aTemp, bTemp] = coerceOperands('where', x, y);
  }
  commonBackend('where', [c, a, b]);
  const shape = broadcastShapes('where', broadcastShapes('where', c.shape, a.shape), b.shape);
  const out = output(a.backend, a.backend.kernels.where(c.ref, a.ref, b.ref, shape), shape, a.dtype);
  const aShape = a.shape;
  const bShape = b.shape;
  const result = record('where', out, [a, b], [c], ([sc]) => (g) => {
    // Gradients go to the branch each element was taken from.
    // where() itself (recorded), so a createGraph backward is differentiable again.
    const cc = sc!.get();
    return [reduceTo(where(cc, g, 0), aShape), reduceTo(where(cc, 0, g), bShape)];
  });
  if (c !== cond) c.dispose();
  if (aTemp) a.dispose();
  if (bTemp) b.dispose();
  return result;
}

export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== 'bool') throw new Error(`maskedFill: expected a bool mask, got ${mask.dtype}`);
  broadcastShapes('maskedFill', x.shape, mask.shape);
  const v = constant(x.backend, value, x.dtype);
  const out = where(mask, v, x);
  v.dispose();
  if (!shapesEqual(out.shape, x.shape)) {
    throw new Error(
      `maskedFill: mask of shape ${formatShape(mask.shape)} would change the shape of the tensor ${formatShape(x.shape)}`,
    );
  }
  return out;
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
  const out = noGradCompute(() => {
    const lo = hasMin ? maximum(x, min) : x;
    const hi = hasMax ? minimum(lo, max) : lo;
    if (lo !== x && lo !== hi) lo.dispose();
    return hi === x ? x.clone() : hi;
  });
  return record(name, out, [x], [x], ([sx]) => (g) => {
    const v = sx!.get();
    let mask = castNoGrad(v.eq(v), 'float32');
    if (hasMin) mask = mask.mul(castNoGrad(boundsPass ? v.ge(min) : v.gt(min), 'float32'));
    if (hasMax) mask = mask.mul(castNoGrad(boundsPass ? v.le(max) : v.lt(max), 'float32'));
    return [g.mul(mask)];
  });
}

/** Cast to `dtype`; casts carry no gradient (float->float is the identity), as in PyTorch. */
export const cast = castNoGrad;
