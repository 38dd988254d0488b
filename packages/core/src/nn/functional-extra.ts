/**
 * More of nn.functional (re-exported by functional.ts, so `F.selu`, `F.groupNorm`, ...): the
 * activations, normalizations, channel dropouts, distances, bilinear and embedding bags of
 * PyTorch's torch.nn.functional. Each is a composition of core ops, so it runs and differentiates on
 * every backend; where PyTorch's gradient at a kink differs from what the plain composition would
 * give, the composition is written so that it follows PyTorch's rule (noted at each).
 */
import { formatShape, shapesEqual, tryBroadcastShapes } from '../backend/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { arange, bernoulli, ones, rand, zeros } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ew from '../ops/elementwise.js';
import * as lay from '../ops/layout.js';

// ------------------------------------------------------------------ activations

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** scale * x for x > 0, scale * alpha * (exp(x) - 1) otherwise (the gradient at 0 is scale * alpha, as PyTorch). */
export function selu(x: Tensor): Tensor {
  return tidy(() =>
    ew.where(
      x.gt(0),
      x.mul(SELU_SCALE),
      x
        .clamp(null, 0)
        .expm1()
        .mul(SELU_ALPHA * SELU_SCALE),
    ),
  );
}

/** max(0, x) + min(0, alpha (exp(x / alpha) - 1)); the gradient at 0 is 1, as PyTorch. */
export function celu(x: Tensor, alpha = 1): Tensor {
  if (alpha === 0) throw new Error('ZeroDivisionError: alpha cannot be 0 for CELU');
  return tidy(() => ew.where(x.gt(0), x, x.clamp(null, 0).div(alpha).expm1().mul(alpha)));
}

/**
 * x where x > 0, weight * x elsewhere; weight has 1 element or one per channel (dim 1; an input of
 * fewer than 2 dims has one channel). At 0 the input's gradient is the weight's (PyTorch's rule).
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  return tidy(() => {
    const channels = x.ndim >= 2 ? x.shape[1]! : 1;
    if (weight.numel !== 1 && weight.numel !== channels) {
      throw new Error(
        `Mismatch of parameter numbers and input channel size. Found parameter numbers = ${weight.numel} and channel size = ${channels}.`,
      );
    }
    let w = weight.reshape([weight.numel]);
    if (weight.numel !== 1 && x.ndim >= 2) w = w.reshape(x.shape.map((d, i) => (i === 1 ? d : 1)));
    else if (weight.numel === 1) w = w.reshape([]);
    return ew.where(x.gt(0), x, x.mul(w));
  });
}

/**
 * Randomized leaky ReLU: in training each non-positive element gets its own slope drawn uniformly
 * from [lower, upper) (core's seeded host generator); in eval the slope is (lower + upper) / 2.
 */
export function rrelu(x: Tensor, lower = 1 / 8, upper = 1 / 3, training = false): Tensor {
  if (!(lower <= upper)) throw new Error(`rrelu: lower bound (${lower}) must not exceed upper bound (${upper})`);
  return tidy(() => {
    if (!training) return ew.leakyRelu(x, (lower + upper) / 2);
    const slope = noGrad(() =>
      rand([...x.shape], { device: x.device })
        .mul(upper - lower)
        .add(lower),
    );
    return ew.where(x.gt(0), x, x.mul(slope));
  });
}

/** x tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return tidy(() => {
    const softplus = x.maximum(0).add(x.abs().neg().exp().log1p());
    return x.mul(softplus.tanh());
  });
}

/** x relu6(x + 3) / 6, with PyTorch's gradient: x / 3 + 0.5 on [-3, 3] (bounds included), 0 below, 1 above. */
export function hardswish(x: Tensor): Tensor {
  return tidy(() => ew.where(x.lt(-3), 0, ew.where(x.le(3), x.mul(x.add(3)).div(6), x)));
}

/** relu6(x + 3) / 6; the gradient 1/6 strictly inside (-3, 3), 0 at and beyond the bounds (as PyTorch). */
export function hardsigmoid(x: Tensor): Tensor {
  return tidy(() => ew.hardtanh(x.add(3), 0, 6).div(6));
}

/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return tidy(() => x.div(x.abs().add(1)));
}

/** Gated linear unit: a * sigmoid(b), a and b the two halves of `dim`. */
export function glu(x: Tensor, dim = -1): Tensor {
  return tidy(() => {
    if (x.ndim === 0) throw new Error('glu does not support scalars because halving size must be even');
    const d = lay.normalizeDim(dim, x.ndim, 'glu');
    const n = x.shape[d]!;
    if (n % 2 !== 0) throw new Error(`Halving dimension must be even, but dimension ${d} is size ${n}`);
    return x.narrow(d, 0, n / 2).mul(x.narrow(d, n / 2, n / 2).sigmoid());
  });
}

/**
 * `value` where x <= threshold, x elsewhere (gradient 0 where x <= threshold, else 1): PyTorch's
 * test, so NaN (which compares false) passes through as NaN.
 */
export function threshold(x: Tensor, thresholdValue: number, value: number): Tensor {
  return tidy(() => ew.where(x.le(thresholdValue), value, x));
}

/** x - tanh(x). */
export function tanhshrink(x: Tensor): Tensor {
  return tidy(() => x.sub(x.tanh()));
}

/** 0 on [-lambd, lambd], x elsewhere (gradient 0 on [-lambd, lambd]); NaN stays NaN, as PyTorch. */
export function hardshrink(x: Tensor, lambd = 0.5): Tensor {
  return tidy(() => ew.where(x.abs().le(lambd), 0, x));
}

/** x - lambd above lambd, x + lambd below -lambd, 0 between (gradient 0 on [-lambd, lambd]). */
export function softshrink(x: Tensor, lambd = 0.5): Tensor {
  if (lambd < 0) throw new Error(`lambda must be greater or equal to 0, but found to be ${lambd}.`);
  return tidy(() => ew.where(x.gt(lambd), x.sub(lambd), ew.where(x.lt(-lambd), x.add(lambd), 0)));
}

// ------------------------------------------------------------------ normalization

function checkChannelParam(op: string, name: string, t: Tensor | null | undefined, channels: number): void {
  if (t !== null && t !== undefined && (t.ndim !== 1 || t.shape[0] !== channels)) {
    throw new Error(
      `${op}: ${name} should contain ${channels} elements not ${t.numel} (shape ${formatShape(t.shape)})`,
    );
  }
}

/** The channel-broadcast shape [1, C, 1, ...] of a per-channel vector against x. */
const channelShape = (x: Tensor): number[] => x.shape.map((d, i) => (i === 1 ? d : 1));

/**
 * Group normalization: the C channels of x [N, C, *] split into numGroups groups, each normalized
 * over its channels and every spatial position (biased variance); then a per-channel affine.
 */
export function groupNorm(
  x: Tensor,
  numGroups: number,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  return tidy(() => {
    if (x.ndim < 2)
      throw new Error(`groupNorm: expected at least 2-D input [N, C, *], got input of shape ${formatShape(x.shape)}`);
    const [N, C] = [x.shape[0]!, x.shape[1]!];
    if (!Number.isInteger(numGroups) || numGroups <= 0 || C % numGroups !== 0) {
      throw new Error(
        `Expected number of channels in input to be divisible by num_groups, but got input of shape ${formatShape(x.shape)} and num_groups=${numGroups}`,
      );
    }
    checkChannelParam('groupNorm', 'weight', weight, C);
    checkChannelParam('groupNorm', 'bias', bias, C);
    // PyTorch's _verify_batch_size on [N * C / G, G, *spatial]: one value per group is refused
    const verified = [(N * C) / numGroups, numGroups, ...x.shape.slice(2)];
    if (verified.reduce((p, d, i) => (i === 1 ? p : p * d), 1) === 1)
      throw new Error(`Expected more than 1 value per channel when training, got input size ${formatShape(verified)}`);
    const grouped = x.reshape([N, numGroups, -1]);
    const mean = grouped.mean(2, true);
    const centred = grouped.sub(mean);
    const variance = centred.square().mean(2, true);
    let y = centred.mul(variance.add(eps).rsqrt()).reshape(x.shape);
    if (weight !== null) y = y.mul(weight.reshape(channelShape(x)));
    if (bias !== null) y = y.add(bias.reshape(channelShape(x)));
    return y;
  });
}

export interface InstanceNormOptions {
  /** Normalize with each instance's own statistics (true) or the running ones (false). Default true. */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Instance normalization: each (sample, channel) of x [N, C, *] normalized over its spatial dims.
 * With useInputStats and running statistics given, those are updated in place with the batch mean
 * of the instances' mean and unbiased variance (PyTorch's rule); without useInputStats the running
 * statistics normalize.
 */
export function instanceNorm(
  x: Tensor,
  runningMean: Tensor | null = null,
  runningVar: Tensor | null = null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: InstanceNormOptions = {},
): Tensor {
  return tidy(() => {
    const useInputStats = options.useInputStats ?? true;
    const momentum = options.momentum ?? 0.1;
    const eps = options.eps ?? 1e-5;
    if (x.ndim < 3)
      throw new Error(
        `instanceNorm: expected at least 3-D input [N, C, *], got input of shape ${formatShape(x.shape)}`,
      );
    const C = x.shape[1]!;
    for (const [name, t] of [
      ['running_mean', runningMean],
      ['running_var', runningVar],
      ['weight', weight],
      ['bias', bias],
    ] as const)
      checkChannelParam('instanceNorm', name, t, C);
    const spatial = Array.from({ length: x.ndim - 2 }, (_, i) => i + 2);
    const bshape = channelShape(x);
    let mean: Tensor;
    let variance: Tensor;
    if (useInputStats) {
      const n = x.numel / (x.shape[0]! * C);
      if (n <= 1)
        throw new Error(`Expected more than 1 spatial element when training, got input size ${formatShape(x.shape)}`);
      mean = x.mean(spatial, true);
      variance = x.sub(mean).square().mean(spatial, true);
      if (runningMean !== null && runningVar !== null) {
        const [m, v] = [mean, variance];
        noGrad(() => {
          runningMean.mul_(1 - momentum).add_(m.mean([0, ...spatial]).mul(momentum));
          runningVar.mul_(1 - momentum).add_(v.mean([0, ...spatial]).mul((momentum * n) / (n - 1)));
        });
      }
    } else {
      if (runningMean === null || runningVar === null)
        throw new Error('Expected running_mean and running_var to be defined when use_input_stats is false');
      mean = runningMean.reshape(bshape);
      variance = runningVar.reshape(bshape);
    }
    let y = x.sub(mean).mul(variance.add(eps).rsqrt());
    if (weight !== null) y = y.mul(weight.reshape(bshape));
    if (bias !== null) y = y.add(bias.reshape(bshape));
    return y;
  });
}

/**
 * Local response normalization across channels: x / (k + alpha / size * sum of x^2 over the
 * `size` neighbouring channels)^beta (zero-padded: size // 2 before, (size - 1) // 2 after).
 */
export function localResponseNorm(x: Tensor, size: number, alpha = 1e-4, beta = 0.75, k = 1): Tensor {
  return tidy(() => {
    if (x.ndim < 3)
      throw new Error(
        `Expected 3D or higher dimensionality input (got ${x.ndim} dimensions, shape ${formatShape(x.shape)})`,
      );
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`localResponseNorm: size must be a positive integer, got ${size}`);
    const C = x.shape[1]!;
    const padding: number[] = new Array(2 * (x.ndim - 2)).fill(0);
    padding.push(Math.floor(size / 2), Math.floor((size - 1) / 2));
    const squares = lay.pad(x.square(), padding, 0);
    let windowSum = squares.narrow(1, 0, C);
    for (let i = 1; i < size; i++) windowSum = windowSum.add(squares.narrow(1, i, C));
    return x.div(
      windowSum
        .mul(alpha / size)
        .add(k)
        .pow(beta),
    );
  });
}

// ------------------------------------------------------------------ dropout

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
}

/** A 0/1 mask (probability 1 - p of 1) of the given shape, drawn by core's seeded host generator. */
const keepMask = (shape: readonly number[], p: number, device: string): Tensor =>
  noGrad(() => bernoulli(shape, 1 - p, { device }));

/** Shape of a feature (channel) mask: [N, C, 1, ...] for batched input, [C, 1, ...] for unbatched. */
function featureMaskShape(x: Tensor, batched: boolean): number[] {
  const keep = batched ? 2 : 1;
  return x.shape.map((d, i) => (i < keep ? d : 1));
}

function channelDropout(x: Tensor, p: number, training: boolean, batched: boolean): Tensor {
  return tidy(() => {
    checkP(p);
    if (!training || p === 0 || x.numel === 0) return x;
    if (p === 1) return x.mul(0);
    const mask = keepMask(featureMaskShape(x, batched), p, x.device);
    return x.mul(mask.mul(1 / (1 - p)));
  });
}

/** Zeroes whole channels of [N, C, L] (or unbatched [C, L]) input with probability p; survivors scaled by 1/(1-p). */
export function dropout1d(x: Tensor, p = 0.5, training = true): Tensor {
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new Error(
      `dropout1d: Expected 2D or 3D input, but received a ${x.ndim}D input (shape ${formatShape(x.shape)}). Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`,
    );
  }
  return channelDropout(x, p, training, x.ndim === 3);
}

const warnedDropout2d = new Set<string>();
function warnOnce(message: string): void {
  if (warnedDropout2d.has(message)) return;
  warnedDropout2d.add(message);
  console.warn(message);
}

/**
 * Zeroes whole channels of [N, C, H, W] input with probability p; survivors scaled by 1/(1-p).
 * A 3-D input is read as [N, C, L] (channel-wise 1-D dropout), with PyTorch's warning.
 */
export function dropout2d(x: Tensor, p = 0.5, training = true): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) {
    warnOnce(
      `dropout2d: Received a ${x.ndim}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).`,
    );
  }
  if (x.ndim === 3) {
    warnOnce(
      'dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.',
    );
  }
  return channelDropout(x, p, training, x.ndim >= 2);
}

// SELU's scale * alpha: -ALPHA_DROPOUT_ALPHA is the value SELU saturates to (PyTorch's alpha').
const ALPHA_DROPOUT_ALPHA = 1.7580993408473766;

function alphaDropoutImpl(x: Tensor, p: number, training: boolean, feature: boolean): Tensor {
  return tidy(() => {
    checkP(p);
    if (!training || p === 0 || x.numel === 0) return x;
    if (p === 1) return x.mul(0);
    // Dropped elements take SELU's saturation value -alpha', then an affine map a x + b restores
    // zero mean and unit variance: a = ((1 - p)(1 + p alpha'^2))^-1/2, b = a alpha' p for kept ones.
    const a = 1 / Math.sqrt((ALPHA_DROPOUT_ALPHA * ALPHA_DROPOUT_ALPHA * p + 1) * (1 - p));
    const mask = keepMask(feature ? featureMaskShape(x, true) : [...x.shape], p, x.device);
    const shift = noGrad(() =>
      mask
        .sub(1)
        .mul(ALPHA_DROPOUT_ALPHA * a)
        .add(ALPHA_DROPOUT_ALPHA * a * p),
    );
    return x.mul(mask.mul(a)).add(shift);
  });
}

/** Dropout that keeps SELU's self-normalizing mean and variance (for SELU networks). */
export function alphaDropout(x: Tensor, p = 0.5, training = false): Tensor {
  return alphaDropoutImpl(x, p, training, false);
}

/** alphaDropout of whole channels (the mask is [N, C, 1, ...]). */
export function featureAlphaDropout(x: Tensor, p = 0.5, training = false): Tensor {
  if (x.ndim < 2)
    throw new Error(`featureAlphaDropout: expected at least 2-D input [N, C, *], got ${formatShape(x.shape)}`);
  return alphaDropoutImpl(x, p, training, true);
}

// ------------------------------------------------------------------ distances

function broadcastPair(op: string, a: Tensor, b: Tensor): number[] {
  const s = tryBroadcastShapes(a.shape, b.shape);
  if (s === null)
    throw new Error(
      `${op}: The size of x1 ${formatShape(a.shape)} must match the size of x2 ${formatShape(b.shape)} (or broadcast)`,
    );
  return s;
}

/** x1 . x2 / (max(|x1|, eps) max(|x2|, eps)) along `dim` (inputs broadcast). */
export function cosineSimilarity(x1: Tensor, x2: Tensor, dim = 1, eps = 1e-8): Tensor {
  return tidy(() => {
    const shape = broadcastPair('cosineSimilarity', x1, x2);
    const d = lay.normalizeDim(dim, shape.length, 'cosineSimilarity');
    const [a, b] = [x1.expand(shape), x2.expand(shape)];
    const n1 = a.norm(2, d).clamp(eps);
    const n2 = b.norm(2, d).clamp(eps);
    return a.mul(b).sum(d).div(n1.mul(n2));
  });
}

/** The p-norm of x1 - x2 + eps along the last dim (inputs broadcast). */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p = 2, eps = 1e-6, keepdim = false): Tensor {
  return tidy(() => {
    const shape = broadcastPair('pairwiseDistance', x1, x2);
    const diff = x1.sub(x2).add(eps);
    if (shape.length === 0) return diff.abs();
    return diff.norm(p, shape.length - 1, keepdim);
  });
}

/** y = x1^T W x2 + b for x1 [*, in1], x2 [*, in2], weight [out, in1, in2], bias [out]. */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return tidy(() => {
    if (weight.ndim !== 3)
      throw new Error(`bilinear: weight must be 3-D [out, in1, in2], got ${formatShape(weight.shape)}`);
    const [out, in1, in2] = weight.shape as [number, number, number];
    if (x1.ndim === 0 || x1.shape[x1.ndim - 1] !== in1 || x2.ndim === 0 || x2.shape[x2.ndim - 1] !== in2)
      throw new Error(
        `bilinear: input1 ${formatShape(x1.shape)} and input2 ${formatShape(x2.shape)} must end in ${in1} and ${in2} (weight ${formatShape(weight.shape)})`,
      );
    if (!shapesEqual(x1.shape.slice(0, -1), x2.shape.slice(0, -1)))
      throw new Error(
        `bilinear: input1 ${formatShape(x1.shape)} and input2 ${formatShape(x2.shape)} must have the same leading dims`,
      );
    if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== out))
      throw new Error(`bilinear: bias must be [${out}], got ${formatShape(bias.shape)}`);
    // (x1 W_o) for every o at once: [*, in1] @ [in1, out * in2], then dot with x2 along in2.
    const w = weight.permute([1, 0, 2]).reshape([in1, out * in2]);
    const left = x1.matmul(w).reshape([...x1.shape.slice(0, -1), out, in2]);
    const y = left.mul(x2.unsqueeze(-2)).sum(-1);
    return bias !== null ? y.add(bias) : y;
  });
}

// ------------------------------------------------------------------ embedding bags

export interface EmbeddingBagOptions {
  /** 1-D input: where each bag starts (int32 [B], or [B + 1] with includeLastOffset). */
  offsets?: Tensor | null;
  mode?: 'sum' | 'mean' | 'max';
  /** One weight per index (input's shape), 'sum' mode only. */
  perSampleWeights?: Tensor | null;
  /** offsets has one more entry, the end of the last bag (CSR style). */
  includeLastOffset?: boolean;
  /** Entries equal to this index are left out of their bag (and of a mean's count). */
  paddingIdx?: number | null;
}

/**
 * Sums, means or maxima of bags of embeddings without materializing the lookups per bag: input
 * [B, L] (B bags of L indices) or 1-D with offsets. An empty bag gives zeros. Bags are formed on
 * the device (no readback of the offsets) in O(N) memory: a running sum of marks at the offsets
 * gives each position its bag, and scatter-adds (or a scatter amax) combine the rows.
 */
export function embeddingBag(input: Tensor, weight: Tensor, options: EmbeddingBagOptions = {}): Tensor {
  return tidy(() => {
    const mode = options.mode ?? 'mean';
    if (mode !== 'sum' && mode !== 'mean' && mode !== 'max')
      throw new Error(`mode has to be one of sum, mean or max (got '${String(mode)}')`);
    if (input.dtype !== 'int32')
      throw new Error(
        `embeddingBag: expected input of dtype int32 (indices), got ${input.dtype} (shape ${formatShape(input.shape)})`,
      );
    if (weight.ndim !== 2) throw new Error(`embeddingBag: weight must be 2-D, got ${formatShape(weight.shape)}`);
    const [numEmbeddings, dim] = weight.shape as [number, number];
    const offsets = options.offsets ?? null;
    const psw = options.perSampleWeights ?? null;
    let paddingIdx = options.paddingIdx ?? null;
    if (paddingIdx !== null) {
      if (!(Number.isInteger(paddingIdx) && paddingIdx < numEmbeddings && paddingIdx >= -numEmbeddings))
        throw new Error(
          `padding_idx must be within num_embeddings (got ${paddingIdx} for ${numEmbeddings} embeddings)`,
        );
      if (paddingIdx < 0) paddingIdx += numEmbeddings;
    }
    if (psw !== null) {
      if (mode !== 'sum')
        throw new Error(
          `embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}'). Please open a feature request on GitHub.`,
        );
      if (!shapesEqual(psw.shape, input.shape))
        throw new Error(
          `embedding_bag: If per_sample_weights (${formatShape(psw.shape)}) is not None, then it must have the same shape as the input (${formatShape(input.shape)})`,
        );
    }
    if (input.ndim === 2) {
      if (offsets !== null)
        throw new Error(
          'if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences.',
        );
      return bags2d(input, weight, mode, psw, paddingIdx);
    }
    if (input.ndim !== 1)
      throw new Error(
        `input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.ndim} (shape ${formatShape(input.shape)})`,
      );
    if (offsets === null) throw new Error('offsets has to be a 1D Tensor but got None');
    if (offsets.ndim !== 1 || offsets.dtype !== 'int32')
      throw new Error(`offsets has to be a 1D int32 Tensor, got ${offsets.dtype} ${formatShape(offsets.shape)}`);
    const n = input.shape[0]!;
    const includeLast = options.includeLastOffset ?? false;
    if (includeLast && offsets.shape[0]! < 1)
      throw new Error('include_last_offset: number of offsets should be at least 1');
    const bags = includeLast ? offsets.shape[0]! - 1 : offsets.shape[0]!;
    if (bags === 0) return weight.narrow(0, 0, 0).mul(0);
    // Each position's bag: one mark at every bag's start, a running sum of the marks, minus 1
    // (O(N) memory; empty bags are two marks at one position, so the next bag's id skips them).
    const starts = offsets.narrow(0, 0, bags).clamp(0, n);
    const marks = zeros([n + 1], { device: input.device }).scatterAdd(
      0,
      starts,
      ones([bags], { device: input.device }),
    );
    const bagOf = marks.narrow(0, 0, n).cumsum(0).sub(1).int();
    let valid = bagOf.ge(0);
    // With includeLastOffset, positions at and after the final offset belong to no bag.
    if (includeLast)
      valid = valid.logicalAnd(
        arange(0, n, 1, { device: input.device, dtype: 'int32' }).lt(offsets.narrow(0, bags, 1)),
      );
    if (paddingIdx !== null) valid = valid.logicalAnd(input.ne(paddingIdx));
    const bagIndex = ew.where(valid, bagOf, 0).unsqueeze(1).expand([n, dim]).contiguous();
    const rows = weight.indexSelect(0, input);
    const count = zeros([bags], { device: input.device })
      .scatterAdd(0, bagIndex.select(1, 0), valid.float())
      .unsqueeze(1);
    if (mode === 'max') {
      const picked = zeros([bags, dim], { device: input.device }).scatterReduce(
        0,
        bagIndex,
        ew.where(valid.unsqueeze(1), rows, Number.NEGATIVE_INFINITY),
        'amax',
        { includeSelf: false },
      );
      return ew.where(count.gt(0), picked, 0);
    }
    let coefficients = valid.float();
    if (psw !== null) coefficients = coefficients.mul(psw);
    const summed = zeros([bags, dim], { device: input.device }).scatterAdd(
      0,
      bagIndex,
      rows.mul(coefficients.unsqueeze(1)),
    );
    return mode === 'mean' ? summed.div(count.clamp(1)) : summed;
  });
}

/** [B, L] input: each row is a bag. */
function bags2d(
  input: Tensor,
  weight: Tensor,
  mode: 'sum' | 'mean' | 'max',
  psw: Tensor | null,
  paddingIdx: number | null,
): Tensor {
  const rows = weight.indexSelect(0, input.reshape([input.numel])).reshape([...input.shape, weight.shape[1]!]);
  const member = paddingIdx === null ? null : input.ne(paddingIdx);
  if (mode === 'max') {
    if (member === null) return rows.amax(1);
    const picked = ew.where(member.unsqueeze(2), rows, Number.NEGATIVE_INFINITY).amax(1);
    return ew.where(member.float().sum(1, true).gt(0), picked, 0);
  }
  let coefficients = member === null ? null : member.float();
  if (psw !== null) coefficients = coefficients === null ? psw : coefficients.mul(psw);
  const summed = coefficients === null ? rows.sum(1) : rows.mul(coefficients.unsqueeze(2)).sum(1);
  if (mode === 'sum') return summed;
  const count = member === null ? input.shape[1]! : member.float().sum(1, true).clamp(1);
  return summed.div(count);
}
