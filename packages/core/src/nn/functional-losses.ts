/**
 * More of nn.functional's losses (re-exported by functional.ts): margin, embedding, triplet,
 * Poisson/Gaussian NLL, multi-label and multi-class margin losses, and CTC. Each is a composition of
 * core ops with PyTorch's formula, reductions 'none' | 'mean' | 'sum', and PyTorch's gradient at the
 * kinks (noted where the composition is chosen for it).
 */
import { formatShape, shapesEqual, tryBroadcastShapes } from '../backend/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { arange, fromArray, full, ones } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import * as ew from '../ops/elementwise.js';
import * as lay from '../ops/layout.js';
import { pairwiseDistance } from './functional-extra.js';
import { checkReduction, type Reduction, reduce } from './reduction.js';

function requireFloat(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor`);
  if (t.dtype !== 'float32')
    throw new Error(`${op}: expected ${name} of dtype float32, got ${t.dtype} (shape ${formatShape(t.shape)})`);
}

/** PyTorch broadcasts these losses' arguments; shapes that cannot broadcast are an error naming both. */
function requireBroadcast(op: string, named: readonly [string, Tensor][]): void {
  let shape: number[] = [];
  for (const [, t] of named) {
    const next = tryBroadcastShapes(shape, t.shape);
    if (next === null)
      throw new Error(
        `${op}: the shapes of ${named.map(([n, x]) => `${n} ${formatShape(x.shape)}`).join(', ')} do not broadcast`,
      );
    shape = next;
  }
}

export interface MarginOptions {
  margin?: number;
  reduction?: Reduction;
}

/** max(0, -y (x1 - x2) + margin), y in {1, -1} (the gradient passes at the kink, as PyTorch's clamp_min). */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  return tidy(() => {
    const op = 'marginRankingLoss';
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloat(op, 'input1', input1);
    requireFloat(op, 'input2', input2);
    requireFloat(op, 'target', target);
    if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim)
      throw new Error(
        `margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ${formatShape(input1.shape)}, input2: ${formatShape(input2.shape)}, target: ${formatShape(target.shape)}`,
      );
    requireBroadcast(op, [
      ['input1', input1],
      ['input2', input2],
      ['target', target],
    ]);
    return reduce(
      target
        .neg()
        .mul(input1.sub(input2))
        .add(options.margin ?? 0)
        .clamp(0),
      reduction,
    );
  });
}

/** x where y = 1, max(0, margin - x) where y = -1 (summed where y is neither). */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, options: MarginOptions = {}): Tensor {
  return tidy(() => {
    const op = 'hingeEmbeddingLoss';
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloat(op, 'input', input);
    requireFloat(op, 'target', target);
    requireBroadcast(op, [
      ['input', input],
      ['target', target],
    ]);
    const marginPart = ew.where(
      target.ne(1),
      input
        .neg()
        .add(options.margin ?? 1)
        .clamp(0),
      0,
    );
    const selfPart = ew.where(target.ne(-1), input, 0);
    return reduce(marginPart.add(selfPart), reduction);
  });
}

/** 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1 (rows of [N, D], or [D] with a 0-d y). */
export function cosineEmbeddingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  options: MarginOptions = {},
): Tensor {
  return tidy(() => {
    const op = 'cosineEmbeddingLoss';
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloat(op, 'input1', input1);
    requireFloat(op, 'input2', input2);
    requireFloat(op, 'target', target);
    if (!(input1.ndim === 1 || input1.ndim === 2) || !shapesEqual(input1.shape, input2.shape))
      throw new Error(
        `cosine_embedding_loss: expected input1 and input2 of the same shape [N, D] or [D], got ${formatShape(input1.shape)} and ${formatShape(input2.shape)}`,
      );
    if (target.ndim !== input1.ndim - 1 || (target.ndim === 1 && target.shape[0] !== input1.shape[0]))
      throw new Error(
        `cosine_embedding_loss: expected target of shape ${formatShape(input1.shape.slice(0, -1))} for inputs ${formatShape(input1.shape)}, got ${formatShape(target.shape)}`,
      );
    const d = input1.ndim - 1;
    const EPSILON = 1e-12;
    const dot = input1.mul(input2).sum(d);
    const mag1 = input1.square().sum(d).add(EPSILON);
    const mag2 = input2.square().sum(d).add(EPSILON);
    const cos = dot.div(mag1.mul(mag2).sqrt());
    const pos = ew.where(target.eq(1), cos.neg().add(1), 0);
    const neg = ew.where(target.eq(-1), cos.sub(options.margin ?? 0).clamp(0), 0);
    return reduce(pos.add(neg), reduction);
  });
}

export interface TripletMarginOptions {
  margin?: number;
  p?: number;
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (the "distance swap"). */
  swap?: boolean;
  reduction?: Reduction;
}

/** max(d(a, p) - d(a, n) + margin, 0) with d the pairwise p-norm distance. */
export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  options: TripletMarginOptions = {},
): Tensor {
  return tidy(() => {
    const op = 'tripletMarginLoss';
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloat(op, 'anchor', anchor);
    requireFloat(op, 'positive', positive);
    requireFloat(op, 'negative', negative);
    if (anchor.ndim !== positive.ndim || anchor.ndim !== negative.ndim)
      throw new Error(
        `The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor ${anchor.ndim}D, positive ${positive.ndim}D, and negative ${negative.ndim}D inputs`,
      );
    const p = options.p ?? 2;
    const eps = options.eps ?? 1e-6;
    const dPos = pairwiseDistance(anchor, positive, p, eps);
    let dNeg = pairwiseDistance(anchor, negative, p, eps);
    if (options.swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, p, eps));
    return reduce(
      dPos
        .sub(dNeg)
        .add(options.margin ?? 1)
        .clamp(0),
      reduction,
    );
  });
}

export interface PoissonNLLOptions {
  /** input is log(rate) (default) or the rate itself. */
  logInput?: boolean;
  /** Add Stirling's approximation of log(target!) (where target > 1). */
  full?: boolean;
  eps?: number;
  reduction?: Reduction;
}

/** exp(input) - target input (logInput), or input - target log(input + eps); Stirling's term with `full`. */
export function poissonNllLoss(input: Tensor, target: Tensor, options: PoissonNLLOptions = {}): Tensor {
  return tidy(() => {
    const op = 'poissonNllLoss';
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloat(op, 'input', input);
    requireFloat(op, 'target', target);
    requireBroadcast(op, [
      ['input', input],
      ['target', target],
    ]);
    const eps = options.eps ?? 1e-8;
    let loss =
      (options.logInput ?? true) ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(eps).log()));
    if (options.full) {
      // target log(target) - target + log(2 pi target) / 2, only where target > 1.
      const safe = ew.where(target.gt(1), target, 1);
      const stirling = safe
        .mul(safe.log())
        .sub(safe)
        .add(
          safe
            .mul(2 * Math.PI)
            .log()
            .mul(0.5),
        );
      loss = loss.add(ew.where(target.gt(1), stirling, 0));
    }
    return reduce(loss, reduction);
  });
}

export interface GaussianNLLOptions {
  /** Add log(2 pi) / 2. */
  full?: boolean;
  /** The variance is clamped to at least eps (in the forward only, as PyTorch: its gradient passes). */
  eps?: number;
  reduction?: Reduction;
}

/**
 * (log(max(var, eps)) + (input - target)^2 / max(var, eps)) / 2. `variance` has the input's shape,
 * or lacks its last dim, or has 1 there (one variance shared by the last dim). Negative variances
 * are not detected (that would read the tensor back); they give NaN.
 */
export function gaussianNllLoss(
  input: Tensor,
  target: Tensor,
  variance: Tensor,
  options: GaussianNLLOptions = {},
): Tensor {
  return tidy(() => {
    const op = 'gaussianNllLoss';
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloat(op, 'input', input);
    requireFloat(op, 'target', target);
    requireFloat(op, 'var', variance);
    let v = variance;
    if (!shapesEqual(v.shape, input.shape)) {
      const lead = input.shape.slice(0, -1);
      if (input.ndim > 0 && shapesEqual(v.shape, lead)) v = v.unsqueeze(-1);
      else if (
        !(
          input.ndim > 0 &&
          v.ndim === input.ndim &&
          shapesEqual(v.shape.slice(0, -1), lead) &&
          v.shape[v.ndim - 1] === 1
        )
      )
        throw new Error(
          `var is of incorrect size: ${formatShape(variance.shape)} for input ${formatShape(input.shape)}`,
        );
    }
    requireBroadcast(op, [
      ['input', input],
      ['target', target],
    ]);
    const eps = options.eps ?? 1e-6;
    // clamp under no_grad in PyTorch: the value is clamped, the gradient flows as if it were not.
    const clamped = v.add(noGrad(() => v.clamp(eps).sub(v)));
    let loss = clamped.log().add(input.sub(target).square().div(clamped)).mul(0.5);
    if (options.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
    return reduce(loss, reduction);
  });
}

export interface MultiLabelSoftMarginOptions {
  /** Per-class weight [C]. */
  weight?: Tensor | null;
  reduction?: Reduction;
}

/** Per sample: -mean over classes of t log(sigmoid(x)) + (1 - t) log(sigmoid(-x)) (input [N, C] or [C]). */
export function multilabelSoftMarginLoss(
  input: Tensor,
  target: Tensor,
  options: MultiLabelSoftMarginOptions = {},
): Tensor {
  return tidy(() => {
    const op = 'multilabelSoftMarginLoss';
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloat(op, 'input', input);
    requireFloat(op, 'target', target);
    if (input.ndim === 0) throw new Error(`${op}: input must have at least 1 dimension ([N, C] or [C])`);
    requireBroadcast(op, [
      ['input', input],
      ['target', target],
    ]);
    const logSigmoid = (z: Tensor) => z.neg().maximum(0).add(z.abs().neg().exp().log1p()).neg();
    let loss = target
      .mul(logSigmoid(input))
      .add(target.neg().add(1).mul(logSigmoid(input.neg())))
      .neg();
    if (options.weight) {
      requireFloat(op, 'weight', options.weight);
      loss = loss.mul(options.weight);
    }
    const classDim = input.ndim - 1;
    return reduce(loss.sum(classDim).div(input.shape[classDim]!), reduction);
  });
}

/** log(1 + exp(-y x)), y in {1, -1}. */
export function softMarginLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  return tidy(() => {
    const op = 'softMarginLoss';
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloat(op, 'input', input);
    requireFloat(op, 'target', target);
    requireBroadcast(op, [
      ['input', input],
      ['target', target],
    ]);
    const z = target.neg().mul(input);
    return reduce(z.maximum(0).add(z.abs().neg().exp().log1p()), reduction);
  });
}

export interface MultiMarginOptions {
  /** 1 or 2. */
  p?: number;
  margin?: number;
  /** Per-class weight [C], applied by the target's class. */
  weight?: Tensor | null;
  reduction?: Reduction;
}

/**
 * Multi-class hinge: per sample, sum over classes i != y of w[y] max(0, margin - x[y] + x[i])^p / C
 * (input [N, C] or [C]; int32 class-index target [N] or 0-d). The gradient is 0 at the hinge, as PyTorch.
 */
export function multiMarginLoss(input: Tensor, target: Tensor, options: MultiMarginOptions = {}): Tensor {
  return tidy(() => {
    const op = 'multiMarginLoss';
    const reduction = checkReduction(options.reduction ?? 'mean');
    requireFloat(op, 'input', input);
    const p = options.p ?? 1;
    if (p !== 1 && p !== 2) throw new Error('only p == 1 and p == 2 supported');
    if (input.ndim > 2 || input.ndim === 0)
      throw new Error(
        `${op}: Expected non-empty vector or matrix with optional 0-dim batch size, but got: ${formatShape(input.shape)}`,
      );
    if (!(target instanceof Tensor) || target.dtype !== 'int32')
      throw new Error(`${op}: expected an int32 target (class indices)`);
    const x = input.ndim === 1 ? input.unsqueeze(0) : input;
    const [N, C] = [x.shape[0]!, x.shape[1]!];
    const t = target.reshape([target.numel]);
    if (t.numel !== N)
      throw new Error(
        `${op}: inconsistent target size: ${formatShape(target.shape)} for input of size: ${formatShape(input.shape)}`,
      );
    const targetCol = t.unsqueeze(1);
    const picked = x.gather(1, targetCol);
    const hinge = x
      .sub(picked)
      .add(options.margin ?? 1)
      .relu();
    let terms = p === 2 ? hinge.square() : hinge;
    const isTarget = arange(0, C, 1, { device: x.device, dtype: 'int32' }).unsqueeze(0).eq(targetCol);
    terms = ew.where(isTarget, 0, terms);
    if (options.weight) {
      requireFloat(op, 'weight', options.weight);
      if (options.weight.ndim !== 1 || options.weight.shape[0] !== C)
        throw new Error(`${op}: weight must be [${C}], got ${formatShape(options.weight.shape)}`);
      terms = terms.mul(options.weight.gather(0, t).unsqueeze(1));
    }
    let loss = terms.sum(1).div(C);
    if (input.ndim === 1) loss = loss.reshape([]);
    return reduce(loss, reduction);
  });
}

// ------------------------------------------------------------------ CTC

export interface CTCLossOptions {
  blank?: number;
  /** 'mean' divides each sample's loss by its target length (at least 1), then averages. */
  reduction?: Reduction;
  /** Infinite losses (targets that cannot be aligned) and their gradients become 0. */
  zeroInfinity?: boolean;
}

/** A log-probability far below any real one: a finite stand-in for log(0) that keeps gradients finite. */
const LOG_ZERO = -1e30;

function lengthsTensor(
  op: string,
  name: string,
  v: Tensor | readonly number[] | number,
  n: number,
  device: string,
): Tensor {
  if (v instanceof Tensor) {
    if (v.dtype !== 'int32' || v.numel !== n)
      throw new Error(`${op}: ${name} must be ${n} int32 lengths, got ${v.dtype} ${formatShape(v.shape)}`);
    return v.reshape([n]).float();
  }
  const values = typeof v === 'number' ? [v] : [...v];
  if (values.length !== n) throw new Error(`${op}: ${name} must have ${n} entries, got ${values.length}`);
  for (const x of values)
    if (!Number.isInteger(x) || x < 0) throw new Error(`${op}: ${name} must be non-negative integers, got ${x}`);
  return fromArray(Float32Array.from(values), [n], { device });
}

/**
 * Connectionist temporal classification loss: -log of the summed probability of every alignment
 * of `targets` to `logProbs` [T, N, C] (log-softmaxed; [T, C] unbatched). targets: padded [N, S] or
 * the concatenated 1-D targets; lengths as int32 tensors or number arrays. The forward (alpha)
 * recursion runs in log space over T steps of tensor ops; the gradient comes from autograd through
 * it. The gradient with respect to logProbs is PyTorch's: its kernel returns exp(logProbs) minus the
 * alignment posterior (the derivative through a log-softmax), which equals the plain derivative
 * once chained through logSoftmax, as logProbs are meant to be. Lengths given as tensors are not
 * read back, so an input length above T is not reported (lengths given as numbers are checked).
 */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Tensor | readonly number[] | number,
  targetLengths: Tensor | readonly number[] | number,
  options: CTCLossOptions = {},
): Tensor {
  return tidy(() => {
    const op = 'ctcLoss';
    const reduction = checkReduction(options.reduction ?? 'mean');
    const blank = options.blank ?? 0;
    requireFloat(op, 'log_probs', logProbs);
    if (logProbs.ndim !== 2 && logProbs.ndim !== 3)
      throw new Error(`${op}: log_probs must be [T, N, C] or [T, C], got ${formatShape(logProbs.shape)}`);
    const unbatched = logProbs.ndim === 2;
    const lp = unbatched ? logProbs.unsqueeze(1) : logProbs;
    const [T, N, C] = lp.shape as [number, number, number];
    if (!Number.isInteger(blank) || blank < 0 || blank >= C)
      throw new Error(`blank must be in label range (got ${blank} for ${C} classes)`);
    if (!(targets instanceof Tensor) || targets.dtype !== 'int32')
      throw new Error(`${op}: targets must be an int32 tensor of class indices`);
    const device = lp.device;
    const inLen = lengthsTensor(op, 'input_lengths', inputLengths, N, device);
    const tgtLen = lengthsTensor(op, 'target_lengths', targetLengths, N, device);
    if (!(inputLengths instanceof Tensor)) {
      for (const v of typeof inputLengths === 'number' ? [inputLengths] : inputLengths)
        if (v > T) throw new Error(`Expected input_lengths to have value at most ${T}, but got value ${v}`);
    }
    // Labels as [N, L]: padded targets directly; concatenated ones gathered from each sample's start.
    let labels: Tensor;
    const padded = unbatched ? targets.ndim === 1 : targets.ndim === 2;
    if (padded) {
      labels = unbatched ? targets.unsqueeze(0) : targets;
      if (labels.shape[0] !== N) throw new Error(`${op}: targets ${formatShape(targets.shape)} must have ${N} rows`);
    } else {
      if (targets.ndim !== 1)
        throw new Error(`${op}: targets must be [N, S] or 1-D concatenated, got ${formatShape(targets.shape)}`);
      const total = targets.shape[0]!;
      const L =
        targetLengths instanceof Tensor
          ? total
          : Math.max(0, ...(typeof targetLengths === 'number' ? [targetLengths] : targetLengths));
      // Exclusive prefix sums of the lengths (a strictly lower-triangular matmul: exact for integers below 2^24).
      const starts = ones([N, N], { device }).tril(-1).matmul(tgtLen.unsqueeze(1));
      const offsets = arange(0, Math.max(L, 1), 1, { device }).unsqueeze(0);
      const at = starts
        .add(offsets)
        .clamp(0, Math.max(total - 1, 0))
        .int();
      labels = total === 0 ? at.mul(0).add(blank) : targets.gather(0, at.reshape([at.numel])).reshape(at.shape);
      if (L === 0) labels = labels.narrow(1, 0, 0);
    }
    const L = labels.shape[1]!;
    const S = 2 * L + 1;
    // Extended labels: blank, l1, blank, l2, ..., blank.
    const blanks = full([N, L], blank, { device, dtype: 'int32' });
    const ext = lay.cat(
      [lay.stack([blanks, labels], 2).reshape([N, 2 * L]), full([N, 1], blank, { device, dtype: 'int32' })],
      1,
    );
    const state = arange(0, S, 1, { device, dtype: 'int32' }).unsqueeze(0);
    // s - 2 -> s is allowed onto a label that differs from the label two states back.
    const extBack2 = S > 2 ? lay.cat([ext.narrow(1, 0, 2), ext.narrow(1, 0, S - 2)], 1) : ext;
    const skip = ext.ne(blank).logicalAnd(ext.ne(extBack2)).logicalAnd(state.ge(2));
    const emissions = lp.gather(2, ext.unsqueeze(0).expand([T, N, S]).contiguous());
    const negColumn = full([N, 1], LOG_ZERO, { device });
    const shiftRight = (a: Tensor, k: number): Tensor =>
      S > k ? lay.cat([negColumn.expand([N, k]), a.narrow(1, 0, S - k)], 1) : full([N, S], LOG_ZERO, { device });
    let alpha = ew.where(state.le(1), emissions.select(0, 0), LOG_ZERO);
    const inLenColumn = inLen.unsqueeze(1);
    for (let t = 1; t < T; t++) {
      const fromSkip = ew.where(skip, shiftRight(alpha, 2), LOG_ZERO);
      const next = lay
        .stack([alpha, shiftRight(alpha, 1), fromSkip], 0)
        .logsumexp(0)
        .add(emissions.select(0, t));
      // Samples whose input has ended keep their alpha.
      alpha = ew.where(inLenColumn.gt(t), next, alpha);
    }
    // End in the last label or the final blank: states 2 len and 2 len - 1.
    const last = tgtLen.mul(2).unsqueeze(1).int();
    const beforeLast = last.sub(1).clamp(0);
    const endLast = alpha.gather(1, last.clamp(0, S - 1)).squeeze(1);
    const endBefore = ew.where(tgtLen.gt(0), alpha.gather(1, beforeLast).squeeze(1), LOG_ZERO);
    const logLikelihood = lay.stack([endLast, endBefore], 0).logsumexp(0);
    const impossible = noGrad(() => logLikelihood.lt(LOG_ZERO / 10).logicalOr(inLen.lt(1)));
    // PyTorch's gradient: + exp(logProbs) at every step before the input's end (0 in the forward).
    const steps = arange(0, T, 1, { device }).reshape([T, 1]).lt(inLen.unsqueeze(0)).float().unsqueeze(2);
    const probs = lp.exp();
    const kernelTerm = probs.sub(probs.detach()).mul(steps).sum([0, 2]);
    let loss = logLikelihood.neg().add(kernelTerm);
    loss = ew.where(impossible, options.zeroInfinity ? 0 : Number.POSITIVE_INFINITY, loss);
    if (reduction === 'none') return unbatched ? loss.reshape([]) : loss;
    if (reduction === 'sum') return loss.sum();
    return loss.div(tgtLen.clamp(1)).mean();
  });
}
