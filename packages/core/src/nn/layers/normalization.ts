/** BatchNorm1d / BatchNorm2d and LayerNorm, compositions of core ops. */
import { noGrad } from '../../autograd/grad-mode.js';
import { formatShape } from '../../backend/shape.js';
import { ones, zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module, Parameter, pyFloat, reprValue } from '../module.js';

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
