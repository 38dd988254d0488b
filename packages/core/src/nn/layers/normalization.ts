/** BatchNorm1d / BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d / 2d and LocalResponseNorm, compositions of core ops. */
import { noGrad } from '../../autograd/grad-mode.js';
import { formatShape } from '../../backend/shape.js';
import { ones, zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module, Parameter, pyFloat, reprValue } from '../module.js';
import { checkOptionKeys } from '../../options.js';

export interface BatchNormOptions {
  eps?: number;
  /** Running-average factor; null for a cumulative moving average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  device?: string;
}

abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    checkOptionKeys(this.constructor.name, options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'device']);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const device = options.device;
    this.registerParameter('weight', this.affine ? Parameter.adopt(ones([numFeatures], { device })) : null);
    this.registerParameter('bias', this.affine ? Parameter.adopt(zeros([numFeatures], { device })) : null);
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], { device }));
      this.registerBuffer('running_var', ones([numFeatures], { device }));
      // int64 in PyTorch; Flint's integer dtype is int32.
      this.registerBuffer('num_batches_tracked', zeros([], { device, dtype: 'int32' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    });
  }

  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }

  protected abstract checkInputDim(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      const tracked = this.num_batches_tracked;
      noGrad(() => tracked.add_(1));
      // Cumulative average: PyTorch also reads the counter on the host here.
      if (this.momentum === null) factor = 1 / tracked.item();
    }
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const passStats = !this.training || this.trackRunningStats;
    return F.batchNorm(
      x,
      passStats ? this.running_mean : null,
      passStats ? this.running_var : null,
      this.weight,
      this.bias,
      {
        training: useBatchStats,
        momentum: factor,
        eps: this.eps,
      },
    );
  }

  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${reprValue(this.affine)}, track_running_stats=${reprValue(this.trackRunningStats)}`;
  }
}

/** Batch normalization over [N, C] or [N, C, L] input. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3)
      throw new Error(`expected 2D or 3D input (got ${x.ndim}D input of shape ${formatShape(x.shape)})`);
  }
}

/** Batch normalization over [N, C, H, W] input. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw new Error(`expected 4D input (got ${x.ndim}D input of shape ${formatShape(x.shape)})`);
  }
}

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  bias?: boolean;
  device?: string;
}

/** Layer normalization over the trailing normalizedShape dims; weight ones and bias zeros. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkOptionKeys(this.constructor.name, options, ['eps', 'elementwiseAffine', 'bias', 'device']);
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = options.eps ?? 1e-5;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    const device = options.device;
    this.registerParameter(
      'weight',
      this.elementwiseAffine ? Parameter.adopt(ones(this.normalizedShape, { device })) : null,
    );
    this.registerParameter(
      'bias',
      this.elementwiseAffine && options.bias !== false
        ? Parameter.adopt(zeros(this.normalizedShape, { device }))
        : null,
    );
  }

  override forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${reprValue(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${reprValue(this.elementwiseAffine)}`;
  }
}

export interface GroupNormOptions {
  eps?: number;
  /** Per-channel weight (ones) and bias (zeros). Default true. */
  affine?: boolean;
  device?: string;
}

/** Group normalization of [N, C, *] input: numChannels split into numGroups groups. */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    checkOptionKeys(this.constructor.name, options, ['eps', 'affine', 'device']);
    if (!Number.isInteger(numGroups) || numGroups <= 0 || numChannels % numGroups !== 0)
      throw new Error(`num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = options.eps ?? 1e-5;
    this.affine = options.affine ?? true;
    const device = options.device;
    this.registerParameter('weight', this.affine ? Parameter.adopt(ones([numChannels], { device })) : null);
    this.registerParameter('bias', this.affine ? Parameter.adopt(zeros([numChannels], { device })) : null);
  }

  override forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${reprValue(this.affine)}`;
  }
}

export interface InstanceNormOptions {
  eps?: number;
  momentum?: number;
  /** Per-channel weight and bias. Default false (PyTorch's default for instance norm). */
  affine?: boolean;
  /** Keep running statistics (used in eval). Default false. */
  trackRunningStats?: boolean;
  device?: string;
}

abstract class InstanceNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, options: InstanceNormOptions = {}) {
    super();
    checkOptionKeys(this.constructor.name, options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'device']);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.affine = options.affine ?? false;
    this.trackRunningStats = options.trackRunningStats ?? false;
    const device = options.device;
    this.registerParameter('weight', this.affine ? Parameter.adopt(ones([numFeatures], { device })) : null);
    this.registerParameter('bias', this.affine ? Parameter.adopt(zeros([numFeatures], { device })) : null);
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures], { device }) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures], { device }) : null);
    // In the state dict as PyTorch's; instance norm does not advance it (nor does PyTorch's).
    this.registerBuffer('num_batches_tracked', track ? zeros([], { device, dtype: 'int32' }) : null);
  }

  /** Number of dims of an unbatched input ([C, L] for 1d: 2). */
  protected abstract readonly unbatchedDims: number;

  override forward(x: Tensor): Tensor {
    const d = this.unbatchedDims;
    if (x.ndim !== d && x.ndim !== d + 1)
      throw new Error(`expected ${d}D or ${d + 1}D input (got ${x.ndim}D input of shape ${formatShape(x.shape)})`);
    const channelDim = x.ndim - d;
    if (this.affine && x.shape[channelDim] !== this.numFeatures)
      throw new Error(
        `expected input's size at dim=${channelDim} to match num_features (${this.numFeatures}), but got: ${x.shape[channelDim]}.`,
      );
    const batched = x.ndim === d + 1 ? x : x.unsqueeze(0);
    const y = F.instanceNorm(batched, this.running_mean, this.running_var, this.weight, this.bias, {
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum,
      eps: this.eps,
    });
    return x.ndim === d + 1 ? y : y.squeeze(0);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${reprValue(this.affine)}, track_running_stats=${reprValue(this.trackRunningStats)}`;
  }
}

/** Instance normalization of [N, C, L] (or unbatched [C, L]) input. */
export class InstanceNorm1d extends InstanceNormBase {
  protected readonly unbatchedDims = 2;
}

/** Instance normalization of [N, C, H, W] (or unbatched [C, H, W]) input. */
export class InstanceNorm2d extends InstanceNormBase {
  protected readonly unbatchedDims = 3;
}

/** Local response normalization across channels (AlexNet's). */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(size: number, alpha: number | { alpha?: number; beta?: number; k?: number } = 1e-4, beta = 0.75, k = 1) {
    super();
    // new nn.LocalResponseNorm(2, 1e-4, 0.75, 1) or new nn.LocalResponseNorm(2, { alpha, beta, k }).
    if (typeof alpha === 'object') {
      beta = alpha.beta ?? 0.75;
      k = alpha.k ?? 1;
      alpha = alpha.alpha ?? 1e-4;
    }
    this.size = size;
    this.alpha = alpha;
    this.beta = beta;
    this.k = k;
  }
  override forward(x: Tensor): Tensor {
    return F.localResponseNorm(x, this.size, this.alpha, this.beta, this.k);
  }
  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
