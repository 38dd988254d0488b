/** Loss modules; the options objects mirror PyTorch's keyword arguments. */
import type { Tensor } from '../tensor/tensor.js';
import * as F from './functional.js';
import { Module, reprValue } from './module.js';
import { checkOptionKeys } from '../options.js';

abstract class Loss extends Module {
  readonly reduction: F.Reduction;
  constructor(reduction: F.Reduction = 'mean') {
    super();
    if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
      throw new Error(`${String(reduction)} is not a valid value for reduction (expected 'mean', 'sum' or 'none')`);
    }
    this.reduction = reduction;
  }
}

/** Registers an optional weight tensor as a buffer (it moves with .to(), as in PyTorch). */
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(weight: Tensor | null | undefined, reduction: F.Reduction | undefined) {
    super(reduction);
    this.registerBuffer('weight', weight ?? null);
  }
}

export class MSELoss extends Loss {
  constructor(options: F.LossOptions = {}) {
    super(options.reduction);
    checkOptionKeys('MSELoss', options, ['reduction']);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  constructor(options: F.LossOptions = {}) {
    super(options.reduction);
    checkOptionKeys('L1Loss', options, ['reduction']);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options: F.LossOptions & { beta?: number } = {}) {
    super(options.reduction);
    this.beta = options.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options: F.LossOptions & { delta?: number } = {}) {
    super(options.reduction);
    this.delta = options.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Cross entropy on logits; targets are int32 class indices or float class probabilities. */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(options: F.CrossEntropyOptions = {}) {
    super(options.weight, options.reduction);
    checkOptionKeys('CrossEntropyLoss', options, ['weight', 'ignoreIndex', 'labelSmoothing', 'reduction']);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1))
      throw new Error(`label_smoothing must be between 0.0 and 1.0. Got: ${this.labelSmoothing}`);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log likelihood on log-probabilities with int32 class-index targets. */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(options: F.NLLLossOptions = {}) {
    super(options.weight, options.reduction);
    checkOptionKeys('NLLLoss', options, ['weight', 'ignoreIndex', 'reduction']);
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Binary cross entropy on probabilities. */
export class BCELoss extends WeightedLoss {
  constructor(options: F.WeightedLossOptions = {}) {
    super(options.weight, options.reduction);
    checkOptionKeys('BCELoss', options, ['weight', 'reduction']);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Sigmoid + binary cross entropy, numerically stable; posWeight weighs the positives. */
export class BCEWithLogitsLoss extends WeightedLoss {
  declare posWeight: Tensor | null;
  constructor(options: F.BCEWithLogitsOptions = {}) {
    super(options.weight, options.reduction);
    checkOptionKeys('BCEWithLogitsLoss', options, ['weight', 'posWeight', 'reduction']);
    this.registerBuffer('pos_weight', options.posWeight ?? null);
    Object.defineProperty(this, 'posWeight', {
      get: () => (this as unknown as { pos_weight: Tensor | null }).pos_weight,
      enumerable: false,
    });
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.posWeight,
      reduction: this.reduction,
    });
  }
}

export class KLDivLoss extends Module {
  readonly reduction: F.Reduction | 'batchmean';
  readonly logTarget: boolean;
  constructor(options: { reduction?: F.Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    this.reduction = options.reduction ?? 'mean';
    this.logTarget = options.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
  override extraRepr(): string {
    return `reduction=${reprValue(this.reduction)}`;
  }
}

/** max(0, -y (x1 - x2) + margin). */
export class MarginRankingLoss extends Loss {
  readonly margin: number;
  constructor(options: F.MarginOptions = {}) {
    super(options.reduction);
    this.margin = options.margin ?? 0;
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** x where y = 1, max(0, margin - x) where y = -1 (margin default 1). */
export class HingeEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(options: F.MarginOptions = {}) {
    super(options.reduction);
    this.margin = options.margin ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1. */
export class CosineEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(options: F.MarginOptions = {}) {
    super(options.reduction);
    this.margin = options.margin ?? 0;
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** max(d(a, p) - d(a, n) + margin, 0), d the pairwise p-norm distance. */
export class TripletMarginLoss extends Loss {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;
  constructor(options: F.TripletMarginOptions = {}) {
    super(options.reduction);
    this.margin = options.margin ?? 1;
    this.p = options.p ?? 2;
    this.eps = options.eps ?? 1e-6;
    this.swap = options.swap ?? false;
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, {
      margin: this.margin,
      p: this.p,
      eps: this.eps,
      swap: this.swap,
      reduction: this.reduction,
    });
  }
}

/** Poisson negative log likelihood (logInput: input is the log rate). */
export class PoissonNLLLoss extends Loss {
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;
  constructor(options: F.PoissonNLLOptions = {}) {
    super(options.reduction);
    this.logInput = options.logInput ?? true;
    this.full = options.full ?? false;
    this.eps = options.eps ?? 1e-8;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.poissonNllLoss(input, target, {
      logInput: this.logInput,
      full: this.full,
      eps: this.eps,
      reduction: this.reduction,
    });
  }
}

/** Gaussian negative log likelihood: forward(input, target, var). */
export class GaussianNLLLoss extends Loss {
  readonly full: boolean;
  readonly eps: number;
  constructor(options: F.GaussianNLLOptions = {}) {
    super(options.reduction);
    this.full = options.full ?? false;
    this.eps = options.eps ?? 1e-6;
  }
  override forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return F.gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/** Multi-label one-versus-all loss on logits, averaged over classes. */
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(options: F.MultiLabelSoftMarginOptions = {}) {
    super(options.weight, options.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** log(1 + exp(-y x)). */
export class SoftMarginLoss extends Loss {
  constructor(options: F.LossOptions = {}) {
    super(options.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.softMarginLoss(input, target, { reduction: this.reduction });
  }
}

/** Multi-class hinge loss (p = 1 or 2) with int32 class-index targets. */
export class MultiMarginLoss extends WeightedLoss {
  readonly p: number;
  readonly margin: number;
  constructor(options: F.MultiMarginOptions = {}) {
    super(options.weight, options.reduction);
    this.p = options.p ?? 1;
    if (this.p !== 1 && this.p !== 2) throw new Error('only p == 1 and p == 2 supported');
    this.margin = options.margin ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multiMarginLoss(input, target, {
      p: this.p,
      margin: this.margin,
      weight: this.weight,
      reduction: this.reduction,
    });
  }
}

/** Connectionist temporal classification: forward(logProbs, targets, inputLengths, targetLengths). */
export class CTCLoss extends Loss {
  readonly blank: number;
  readonly zeroInfinity: boolean;
  constructor(options: F.CTCLossOptions = {}) {
    super(options.reduction);
    this.blank = options.blank ?? 0;
    this.zeroInfinity = options.zeroInfinity ?? false;
  }
  override forward(
    logProbs: Tensor,
    targets: Tensor,
    inputLengths: Tensor | readonly number[],
    targetLengths: Tensor | readonly number[],
  ): Tensor {
    return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, {
      blank: this.blank,
      reduction: this.reduction,
      zeroInfinity: this.zeroInfinity,
    });
  }
}
