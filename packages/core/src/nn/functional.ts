/**
 * nn.functional (also exported as `F`): activations, layers as functions, and the losses.
 * Everything here is a composition of core ops, so it runs (and differentiates) on every backend.
 */
import { formatShape, shapesEqual, tryBroadcastShapes } from '../backend/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { record } from '../autograd/engine.js';
import { Tensor } from '../tensor/tensor.js';
import { bernoulli } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import * as ew from '../ops/elementwise.js';
import * as idx from '../ops/indexing.js';
import * as conv from '../ops/conv.js';
import { linear as linearOp } from '../ops/linear.js';
import { normalizeDim } from '../ops/layout.js';
import { padWithMode, type PadMode } from '../ops/pad-modes.js';

import { checkReduction, type Reduction, reduce } from './reduction.js';
import { fusedCrossEntropy } from './cross-entropy.js';
import { checkOptionKeys } from '../options.js';

export type { Reduction };
export type { Conv2dOptions, Pool2dOptions, Pair } from '../ops/conv.js';
// Activations, normalizations, channel dropouts, distances, bilinear, embedding bags; more losses.
export * from './functional-extra.js';
export * from './functional-losses.js';
export { scaledDotProductAttention } from './sdpa.js';
export * from './functional-convpool.js';

// ------------------------------------------------------------------ activations

export const relu = (x: Tensor): Tensor => ew.relu(x);
/** min(max(x, 0), 6) */
export const relu6 = (x: Tensor): Tensor => hardtanh(x, 0, 6);
export const sigmoid = (x: Tensor): Tensor => ew.sigmoid(x);
export const tanh = (x: Tensor): Tensor => ew.tanh(x);
/** GELU: exact (erf) by default, or the tanh approximation: gelu(x, 'tanh') or gelu(x, { approximate: 'tanh' }). */
export function gelu(x: Tensor, options: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = {}): Tensor {
  const approximate = typeof options === 'string' ? options : (options.approximate ?? 'none');
  if (approximate !== 'none' && approximate !== 'tanh')
    throw new Error(`approximate argument must be either none or tanh (got '${String(approximate)}')`);
  return ew.geluApprox(x, approximate);
}
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => ew.leakyRelu(x, negativeSlope);
/** clamp(x, minVal, maxVal) with PyTorch's Hardtanh gradient (passes strictly inside the range: 0 at the bounds). */
export const hardtanh = (x: Tensor, minVal = -1, maxVal = 1): Tensor => {
  if (minVal > maxVal) throw new Error(`hardtanh: min_val (${minVal}) cannot be greater than max_val (${maxVal})`);
  return ew.hardtanh(x, minVal, maxVal);
};
/** x * sigmoid(x) */
export const silu = (x: Tensor): Tensor => tidy(() => x.mul(x.sigmoid()));
/** ELU: x for x > 0, alpha * (exp(x) - 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return tidy(() => {
    // expm1 of min(x, 0): for a large x the unused branch would overflow to inf, and its zero
    // gradient times inf would be NaN.
    return ew.where(x.gt(0), x, x.clamp(null, 0).expm1().mul(alpha));
  });
}
/** softplus(x) = log(1 + exp(beta x)) / beta, linear above `threshold` (as PyTorch). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return tidy(() => {
    const bx = x.mul(beta);
    // max(z, 0) + log1p(exp(-|z|)): stable, and exact at z = 0 (maximum splits the tie).
    const soft = bx.maximum(0).add(bx.abs().neg().exp().log1p()).div(beta);
    return ew.where(bx.gt(threshold), x, soft);
  });
}
/** log(sigmoid(x)), computed stably. */
export function logsigmoid(x: Tensor): Tensor {
  return tidy(() => {
    return softplus(x.neg()).neg();
  });
}

function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}
/** softmax along `dim` (PyTorch's legacy implicit dim when omitted). */
export const softmax = (x: Tensor, dim?: number): Tensor => x.softmax(dim ?? implicitSoftmaxDim(x.ndim));
export const logSoftmax = (x: Tensor, dim?: number): Tensor => x.logSoftmax(dim ?? implicitSoftmaxDim(x.ndim));
export const softmin = (x: Tensor, dim?: number): Tensor =>
  tidy(() => x.neg().softmax(dim ?? implicitSoftmaxDim(x.ndim)));

// ------------------------------------------------------------------ layers as functions

export const linear = (x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor => linearOp(x, weight, bias);
export const conv2d = (x: Tensor, weight: Tensor, bias?: Tensor | null, options: conv.Conv2dOptions = {}): Tensor =>
  conv.conv2d(x, weight, bias, options);
export const maxPool2d = (x: Tensor, kernelSize: conv.Pair, options: conv.Pool2dOptions = {}): Tensor =>
  conv.maxPool2d(x, kernelSize, options);
export const maxPool2dWithIndices = conv.maxPool2dWithIndices;
export const avgPool2d = (x: Tensor, kernelSize: conv.Pair, options: conv.Pool2dOptions = {}): Tensor =>
  conv.avgPool2d(x, kernelSize, options);
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor => x.flatten(startDim, endDim);
export const unflatten = (x: Tensor, dim: number, sizes: readonly number[]): Tensor => x.unflatten(dim, sizes);

/**
 * F.pad(input, pad, mode='constant', value=0): pairs from the last dim backwards; modes constant,
 * reflect, replicate and circular (the last three pad at most the last 3 dims, as PyTorch).
 */
export function pad(x: Tensor, padding: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  return padWithMode(x, padding, mode, value);
}

/** F.one_hot: int32 indices -> int32 [..., numClasses] (numClasses = -1 infers it, reading back). */
export const oneHot = (indices: Tensor, numClasses = -1): Tensor => idx.oneHot(indices, numClasses);

/**
 * Embedding lookup: weight rows at `indices` (int32, any shape) -> [...indices.shape, dim]. With
 * `paddingIdx` (negative counts from the end) that row is returned as stored but gets no gradient.
 */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx: number | null = null): Tensor {
  return tidy(() => {
    if (indices.dtype !== 'int32') {
      throw new Error(
        `embedding: Expected tensor for argument #1 'indices' to have dtype int32, but got ${indices.dtype} (shape ${formatShape(indices.shape)})`,
      );
    }
    if (weight.ndim !== 2) throw new Error(`embedding: weight must be 2-D, got ${formatShape(weight.shape)}`);
    const n = weight.shape[0]!;
    if (paddingIdx !== null && !(Number.isInteger(paddingIdx) && paddingIdx < n && paddingIdx >= -n)) {
      throw new Error(`Padding_idx must be within num_embeddings (got ${paddingIdx} for ${n} embeddings)`);
    }
    const flat = indices.reshape([indices.numel]);
    let rows = weight.indexSelect(0, flat);
    if (paddingIdx !== null) {
      // Same values; the padding positions take them from a detached copy, so no gradient flows there.
      const isPadding = flat.eq(paddingIdx < 0 ? paddingIdx + n : paddingIdx).unsqueeze(1);
      rows = ew.where(isPadding, rows.detach(), rows);
    }
    return rows.reshape([...indices.shape, weight.shape[1]!]);
  });
}

/**
 * Dropout: zeroes elements with probability p (mask drawn by core's seeded host generator) and
 * scales the rest by 1/(1-p). Identity when training is false or p is 0.
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  return tidy(() => {
    if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
    if (!training || p === 0) return x;
    if (p === 1) return x.mul(0);
    const mask = noGrad(() => {
      const m = bernoulli(x.shape, 1 - p, { device: x.device });
      const scaled = m.mul(1 / (1 - p));
      m.dispose();
      return scaled;
    });
    const out = x.mul(mask);
    mask.dispose();
    return out;
  });
}

// ------------------------------------------------------------------ normalization

/** Layer normalization over the trailing `normalizedShape` dims (biased variance, as PyTorch). */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  return tidy(() => {
    const k = normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (k === 0 || x.ndim < k || !shapesEqual(tail, normalizedShape)) {
      throw new Error(
        `Given normalized_shape=${formatShape(normalizedShape)}, expected input with shape [*, ${normalizedShape.join(', ')}], but got input of size ${formatShape(x.shape)}`,
      );
    }
    const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
    const mean = x.mean(dims, true);
    const centred = x.sub(mean);
    const variance = centred.square().mean(dims, true);
    let y = centred.mul(variance.add(eps).rsqrt());
    if (weight) y = y.mul(weight);
    if (bias) y = y.add(bias);
    return y;
  });
}

export interface BatchNormOptions {
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalization over every dim but 1 (channels). In training, normalizes with the batch
 * statistics and, when given, updates runningMean / runningVar in place (the variance stored is
 * the unbiased one, as PyTorch); otherwise uses the running statistics.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: BatchNormOptions = {},
): Tensor {
  return tidy(() => {
    const training = options.training ?? false;
    const momentum = options.momentum ?? 0.1;
    const eps = options.eps ?? 1e-5;
    if (x.ndim < 2) throw new Error(`batchNorm: expected at least 2-D input [N, C, ...], got ${formatShape(x.shape)}`);
    const C = x.shape[1]!;
    for (const [name, t] of [
      ['running_mean', runningMean],
      ['running_var', runningVar],
      ['weight', weight],
      ['bias', bias],
    ] as const) {
      if (t !== null && (t.ndim !== 1 || t.shape[0] !== C)) {
        throw new Error(
          `batchNorm: ${name} should contain ${C} elements not ${t.numel} (shape ${formatShape(t.shape)})`,
        );
      }
    }
    const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
    const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
    let mean: Tensor;
    let variance: Tensor;
    if (training) {
      const n = x.numel / C;
      if (n <= 1)
        throw new Error(`Expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}`);
      mean = x.mean(dims, true);
      variance = x.sub(mean).square().mean(dims, true);
      if (runningMean !== null && runningVar !== null) {
        const m = mean;
        const v = variance;
        noGrad(() => {
          runningMean.mul_(1 - momentum).add_(m.reshape([C]).mul(momentum));
          runningVar.mul_(1 - momentum).add_(v.reshape([C]).mul((momentum * n) / (n - 1)));
        });
      }
    } else {
      if (runningMean === null || runningVar === null)
        throw new Error('batchNorm: running_mean and running_var must be defined in evaluation mode');
      mean = runningMean.reshape(bshape);
      variance = runningVar.reshape(bshape);
    }
    let y = x.sub(mean).mul(variance.add(eps).rsqrt());
    if (weight !== null) y = y.mul(weight.reshape(bshape));
    if (bias !== null) y = y.add(bias.reshape(bshape));
    return y;
  });
}

// ------------------------------------------------------------------ losses

export interface LossOptions {
  reduction?: Reduction;
}

function requireFloatInput(op: string, name: string, t: Tensor): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor`);
  if (t.dtype !== 'float32')
    throw new Error(`${op}: expected ${name} of dtype float32, got ${t.dtype} (shape ${formatShape(t.shape)})`);
}

const warnedSizes = new Set<string>();
/** Elementwise losses: PyTorch broadcasts a different target size with a warning. */
function checkElementwise(op: string, input: Tensor, target: Tensor, strict: boolean): void {
  requireFloatInput(op, 'input', input);
  requireFloatInput(op, 'target', target);
  if (shapesEqual(input.shape, target.shape)) return;
  const msg = `${op}: Using a target size (${formatShape(target.shape)}) that is different to the input size (${formatShape(input.shape)})`;
  if (strict) throw new Error(`${msg} is deprecated. Please ensure they have the same size.`);
  if (tryBroadcastShapes(input.shape, target.shape) === null) {
    throw new Error(
      `${op}: The size of input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must match (or broadcast).`,
    );
  }
  if (!warnedSizes.has(msg)) {
    warnedSizes.add(msg);
    console.warn(
      `${msg}. This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`,
    );
  }
}

/** Mean squared error: (input - target)^2, reduced. */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkOptionKeys('mseLoss', options, ['reduction']);
  return tidy(() => {
    const reduction = checkReduction(options.reduction ?? 'mean');
    checkElementwise('mseLoss', input, target, false);
    return reduce(input.sub(target).square(), reduction);
  });
}

/** Mean absolute error: |input - target|, reduced. */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkOptionKeys('l1Loss', options, ['reduction']);
  return tidy(() => {
    const reduction = checkReduction(options.reduction ?? 'mean');
    checkElementwise('l1Loss', input, target, false);
    return reduce(input.sub(target).abs(), reduction);
  });
}

/** Smooth L1: 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere. */
export function smoothL1Loss(input: Tensor, target: Tensor, options: LossOptions & { beta?: number } = {}): Tensor {
  return tidy(() => {
    const reduction = checkReduction(options.reduction ?? 'mean');
    const beta = options.beta ?? 1;
    if (beta < 0) throw new Error('smoothL1Loss does not support negative values for beta.');
    checkElementwise('smoothL1Loss', input, target, false);
    const d = input.sub(target).abs();
    if (beta === 0) return reduce(d, reduction);
    return reduce(ew.where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta)), reduction);
  });
}

/** Huber: 0.5 d^2 where |d| <= delta, delta (|d| - 0.5 delta) elsewhere. */
export function huberLoss(input: Tensor, target: Tensor, options: LossOptions & { delta?: number } = {}): Tensor {
  return tidy(() => {
    const reduction = checkReduction(options.reduction ?? 'mean');
    const delta = options.delta ?? 1;
    if (delta <= 0) throw new Error('huberLoss does not support non-positive values for delta.');
    checkElementwise('huberLoss', input, target, false);
    const d = input.sub(target).abs();
    return reduce(ew.where(d.le(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)), reduction);
  });
}

export interface WeightedLossOptions extends LossOptions {
  /** Per-element rescaling weight, broadcastable to the input. */
  weight?: Tensor | null;
}

/**
 * Binary cross entropy on probabilities: -w [t log(x) + (1 - t) log(1 - x)], each log clamped to
 * >= -100 as PyTorch. (PyTorch also checks 0 <= x <= 1, which needs a readback: out-of-range
 * inputs give NaN here.)
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: WeightedLossOptions = {}): Tensor {
  checkOptionKeys('binaryCrossEntropy', options, ['weight', 'reduction']);
  return tidy(() => {
    const reduction = checkReduction(options.reduction ?? 'mean');
    checkElementwise('binaryCrossEntropy', input, target, true);
    let loss = binaryCrossEntropyElementwise(input, target);
    if (options.weight) loss = loss.mul(checkWeight('binaryCrossEntropy', options.weight, input));
    return reduce(loss, reduction);
  });
}

/**
 * The unreduced loss with PyTorch's gradients, which are not those of the clamped logs (0 * inf
 * would be NaN at x = 0 or 1): d/dx = (x - t) / max(x (1 - x), 1e-12) and d/dt = log(1 - x) - log(x)
 * (unclamped, so +-inf at 0 and 1, as PyTorch).
 */
function binaryCrossEntropyElementwise(input: Tensor, target: Tensor): Tensor {
  const out = noGrad(() =>
    tidy(() => {
      const logX = input.log().clamp(-100);
      const log1mX = input.neg().add(1).log().clamp(-100);
      return target.mul(logX).add(target.neg().add(1).mul(log1mX)).neg();
    }),
  );
  const needInput = input.requiresGrad;
  const needTarget = target.requiresGrad;
  return record('binaryCrossEntropy', out, [input, target], [input, target], ([si, st]) => (g) => {
    const x = si!.get();
    const t = st!.get();
    const oneMinusX = x.neg().add(1);
    const gx = needInput ? g.mul(x.sub(t)).div(oneMinusX.mul(x).maximum(BCE_EPSILON)) : null;
    const gt = needTarget ? g.mul(oneMinusX.log().sub(x.log())) : null;
    return [gx, gt];
  });
}

/** PyTorch's EPSILON in binary_cross_entropy_backward (a float there too). */
const BCE_EPSILON = Math.fround(1e-12);

export interface BCEWithLogitsOptions extends WeightedLossOptions {
  /** Weight of the positive examples, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
}

/**
 * Sigmoid + binary cross entropy in one numerically stable expression:
 * (1 - t) x + (1 + (posWeight - 1) t) softplus(-x).
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BCEWithLogitsOptions = {},
): Tensor {
  checkOptionKeys('binaryCrossEntropyWithLogits', options, ['weight', 'posWeight', 'reduction']);
  return tidy(() => {
    const reduction = checkReduction(options.reduction ?? 'mean');
    checkElementwise('binaryCrossEntropyWithLogits', input, target, true);
    const neg = input.neg();
    // softplus(-x) = max(-x, 0) + log1p(exp(-|x|)); maximum's tie split keeps the gradient exact at 0.
    const softplusNeg = neg.maximum(0).add(input.abs().neg().exp().log1p());
    const posWeight = options.posWeight ?? null;
    let loss: Tensor;
    if (posWeight !== null) {
      const pw = checkWeight('binaryCrossEntropyWithLogits', posWeight, input, 'posWeight');
      const logWeight = pw.sub(1).mul(target).add(1);
      loss = target.neg().add(1).mul(input).add(logWeight.mul(softplusNeg));
    } else {
      loss = target.neg().add(1).mul(input).add(softplusNeg);
    }
    if (options.weight) loss = loss.mul(checkWeight('binaryCrossEntropyWithLogits', options.weight, input));
    return reduce(loss, reduction);
  });
}

function checkWeight(op: string, w: Tensor, input: Tensor, name = 'weight'): Tensor {
  requireFloatInput(op, name, w);
  const b = tryBroadcastShapes(input.shape, w.shape);
  if (b === null || !shapesEqual(b, input.shape)) {
    throw new Error(
      `${op}: ${name} of shape ${formatShape(w.shape)} cannot be broadcast to the input shape ${formatShape(input.shape)}`,
    );
  }
  return w;
}

export interface NLLLossOptions extends LossOptions {
  /** A manual rescaling weight per class, shape [C]. */
  weight?: Tensor | null;
  /** Target value that contributes nothing (and is left out of the mean's denominator). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NLLLossOptions {
  /** Mix the target with the uniform distribution: (1 - eps) target + eps / C. */
  labelSmoothing?: number;
}

/** Shapes: input [C] | [N, C] | [N, C, d1, ...]; class-index target [] | [N] | [N, d1, ...]. */
function classIndexShape(input: Tensor): number[] {
  return input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
}

function checkClassWeight(op: string, weight: Tensor | null | undefined, C: number): Tensor | null {
  if (weight === null || weight === undefined) return null;
  requireFloatInput(op, 'weight', weight);
  if (weight.ndim !== 1 || weight.shape[0] !== C) {
    throw new Error(
      `${op}: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${formatShape(weight.shape)}`,
    );
  }
  return weight;
}

/**
 * Negative log likelihood on log-probabilities `input` ([N, C], [C] or [N, C, d1, ...]) with
 * int32 class-index targets. 'mean' divides by the summed weights of the non-ignored targets,
 * as PyTorch.
 *
 * Class indices outside [0, C) (other than ignoreIndex) cannot be detected without reading the
 * target back to the host; instead of an exception they make the loss NaN.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  checkOptionKeys('nllLoss', options, ['weight', 'ignoreIndex', 'reduction']);
  return tidy(() => {
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloatInput('nllLoss', 'input', input);
    const { picked, weightOf, valid } = pickClassTargets('nllLoss', input, target, options);
    const loss = picked.neg();
    return reduceClassLoss(loss, weightOf, valid, reduction);
  });
}

interface Picked {
  /** w[t] * input[n, t] (0 for ignored positions), shape of the target. */
  picked: Tensor;
  /** w[t] (1 without weights), 0 where ignored. */
  weightOf: Tensor;
  /** 1 where the target is not ignored. */
  valid: Tensor;
  /** Target clamped into [0, C) (indices safe for gather). */
  safeTarget: Tensor;
  /** The class dim of the input. */
  classDim: number;
}

function pickClassTargets(op: string, input: Tensor, target: Tensor, options: NLLLossOptions): Picked {
  if (!(target instanceof Tensor)) throw new TypeError(`${op}: target must be a Tensor`);
  if (input.ndim < 1)
    throw new Error(`${op}: input must have at least 1 dimension ([C], [N, C] or [N, C, d1, ...]), got a scalar`);
  const C = input.shape[input.ndim === 1 ? 0 : 1]!;
  const expected = classIndexShape(input);
  if (target.dtype !== 'int32') {
    throw new Error(
      `${op}: expected target of dtype int32 (class indices) with shape ${formatShape(expected)}, got ${target.dtype} ${formatShape(target.shape)} for input of shape ${formatShape(input.shape)}`,
    );
  }
  if (!shapesEqual(target.shape, expected)) {
    throw new Error(
      `${op}: expected target of shape ${formatShape(expected)} (class indices) for input of shape ${formatShape(input.shape)}, got target of shape ${formatShape(target.shape)}`,
    );
  }
  const weight = checkClassWeight(op, options.weight, C);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new Error(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  return noGradTargets(input, target, weight, ignoreIndex, C, classDim);
}

function noGradTargets(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  C: number,
  classDim: number,
): Picked {
  const { valid, safeTarget, outOfRange } = noGrad(() => {
    const ignored = target.eq(ignoreIndex);
    const bad = target.lt(0).float().add(target.ge(C).float()).gt(0).float().mul(ignored.logicalNot().float());
    return {
      valid: ignored.logicalNot().float(),
      safeTarget: ew.where(ignored, 0, target.clamp(0, Math.max(C - 1, 0))).int(),
      // NaN where a non-ignored target is out of range, 0 elsewhere.
      outOfRange: ew.where(bad.gt(0), Number.NaN, 0),
    };
  });
  const gathered = input.gather(classDim, safeTarget.unsqueeze(classDim)).squeeze(classDim).add(outOfRange);
  let weightOf = valid;
  if (weight !== null)
    weightOf = weight
      .gather(0, safeTarget.reshape([safeTarget.numel]))
      .reshape(safeTarget.shape)
      .mul(valid);
  const picked = ew.where(valid.gt(0), gathered, 0).mul(weightOf);
  return { picked, weightOf, valid, safeTarget, classDim };
}

function reduceClassLoss(loss: Tensor, weightOf: Tensor, _valid: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return loss.sum();
  return loss.sum().div(weightOf.sum());
}

/**
 * Cross entropy between logits `input` ([C], [N, C] or [N, C, d1, ...]) and either int32 class
 * indices (shape [N] / [N, d1, ...]) or class probabilities (float32, the input's shape).
 * Same options and semantics as PyTorch: weight, ignoreIndex (class indices only),
 * labelSmoothing, reduction ('mean' of class indices is weighted by the targets' class weights).
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkOptionKeys('crossEntropy', options, ['weight', 'ignoreIndex', 'labelSmoothing', 'reduction']);
  return tidy(() => {
    const op = 'crossEntropy';
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloatInput(op, 'input', input);
    if (!(target instanceof Tensor)) throw new TypeError(`${op}: target must be a Tensor`);
    if (input.ndim < 1)
      throw new Error(`${op}: input must have at least 1 dimension ([C], [N, C] or [N, C, d1, ...]), got a scalar`);
    const smoothing = options.labelSmoothing ?? 0;
    if (!(smoothing >= 0 && smoothing <= 1))
      throw new Error(`label_smoothing must be between 0.0 and 1.0. Got: ${smoothing}`);
    const classDim = input.ndim === 1 ? 0 : 1;
    const C = input.shape[classDim]!;
    const weight = checkClassWeight(op, options.weight, C);
    // Broadcast shape of a [C] weight against the input: [1, C, 1, ...].
    const wShape = input.shape.map((d, i) => (i === classDim ? d : 1));

    if (target.dtype === 'float32' && shapesEqual(target.shape, input.shape)) {
      // Class probabilities.
      const logp = input.logSoftmax(classDim);
      let t = target;
      if (smoothing > 0) t = t.mul(1 - smoothing).add(smoothing / C);
      let prod = logp.mul(t);
      if (weight !== null) prod = prod.mul(weight.reshape(wShape));
      const loss = prod.sum(classDim).neg();
      if (reduction === 'none') return loss;
      if (reduction === 'sum') return loss.sum();
      return loss.sum().div(input.numel / C);
    }
    const expected = classIndexShape(input);
    if (target.dtype !== 'int32') {
      const hint = shapesEqual(target.shape, expected)
        ? ' (class-index targets must be int32: pass { dtype: "int32" } when creating them, or call target.int())'
        : ` (pass probabilities with the same shape as input, ${formatShape(input.shape)})`;
      throw new Error(
        `${op}: expected target of dtype int32 (class indices) with shape ${formatShape(expected)}, got ${target.dtype} ${formatShape(target.shape)} for input of shape ${formatShape(input.shape)}${hint}`,
      );
    }
    if (!shapesEqual(target.shape, expected)) {
      throw new Error(
        `${op}: expected target of shape ${formatShape(expected)} (class indices) or ${formatShape(input.shape)} (probabilities) for input of shape ${formatShape(input.shape)}, got int32 target of shape ${formatShape(target.shape)}`,
      );
    }
    const ignoreIndex = options.ignoreIndex ?? -100;
    if (!Number.isInteger(ignoreIndex)) throw new Error(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}`);
    const fused = fusedCrossEntropy(input, target, weight, { ignoreIndex, labelSmoothing: smoothing, reduction });
    if (fused !== null) return fused;
    const logp = input.logSoftmax(classDim);
    const { picked, weightOf, valid } = noGradTargets(logp, target, weight, ignoreIndex, C, classDim);
    const nll = reduceClassLoss(picked.neg(), weightOf, valid, reduction);
    if (smoothing === 0) return nll;
    // PyTorch: (1 - eps) nll + eps / C * smooth, smooth = -sum_c w_c logp_c (0 where ignored).
    const weighted = weight !== null ? logp.mul(weight.reshape(wShape)) : logp;
    const smooth = weighted.sum(classDim).neg().mul(valid);
    let smoothReduced: Tensor;
    if (reduction === 'none') smoothReduced = smooth;
    else if (reduction === 'sum') smoothReduced = smooth.sum();
    else smoothReduced = smooth.sum().div(weight !== null ? weightOf.sum() : valid.sum());
    return nll.mul(1 - smoothing).add(smoothReduced.mul(smoothing / C));
  });
}

/** Kullback-Leibler divergence with log-probability input: target (log target - input). */
export function klDiv(
  input: Tensor,
  target: Tensor,
  options: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {},
): Tensor {
  return tidy(() => {
    const reduction = options.reduction ?? 'mean';
    checkElementwise('klDiv', input, target, false);
    const loss = options.logTarget
      ? target.exp().mul(target.sub(input))
      : ew.where(target.gt(0), target.mul(target.clamp(1e-45).log().sub(input)), 0);
    if (reduction === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
    return reduce(loss, checkReduction(reduction));
  });
}

/** Normalize over `dim` by the p-norm, clamped below by eps. */
export function normalize(x: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  return tidy(() => {
    const d = normalizeDim(dim, x.ndim, 'normalize');
    return x.div(x.norm(p, d, true).clamp(eps));
  });
}
