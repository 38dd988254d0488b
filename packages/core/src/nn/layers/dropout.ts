/** Dropout (elementwise, channel-wise, alpha) and the shape modules Flatten / Unflatten. */
import type { Tensor } from '../../tensor/tensor.js';
import * as F from '../functional.js';
import { Module, reprValue } from '../module.js';
import { keywordOrValue, keywordsOrValues } from '../../options.js';

/**
 * Zeroes each element with probability p during training (mask from core's seeded host
 * generator) and scales the survivors by 1/(1-p); the identity in eval().
 */
export class Dropout extends Module {
  readonly p: number;
  constructor(options: number | { p?: number; inplace?: boolean } = 0.5) {
    super();
    const p = keywordOrValue<number>('Dropout', options, 'p', ['inplace']) ?? 0.5;
    if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
  }
  override forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}

abstract class DropoutBase extends Module {
  readonly p: number;
  constructor(options: number | { p?: number; inplace?: boolean } = 0.5) {
    super();
    const p = keywordOrValue<number>(this.constructor.name, options, 'p', ['inplace']) ?? 0.5;
    if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
  }
  override extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}

/** Zeroes whole channels of [N, C, L] / [C, L] input with probability p in training (survivors scaled by 1/(1-p)). */
export class Dropout1d extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout1d(x, this.p, this.training);
  }
}

/** Zeroes whole channels of [N, C, H, W] input with probability p in training (survivors scaled by 1/(1-p)). */
export class Dropout2d extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.dropout2d(x, this.p, this.training);
  }
}

/** Dropout that keeps zero mean and unit variance (for SELU networks); the identity in eval(). */
export class AlphaDropout extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.alphaDropout(x, this.p, this.training);
  }
}

/** AlphaDropout of whole channels. */
export class FeatureAlphaDropout extends DropoutBase {
  override forward(x: Tensor): Tensor {
    return F.featureAlphaDropout(x, this.p, this.training);
  }
}

/** Flattens dims startDim..endDim (default: all but the batch dim). */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim: number | { startDim?: number; endDim?: number } = 1, endDim = -1) {
    super();
    [this.startDim, this.endDim] = keywordsOrValues('Flatten', startDim, [endDim], ['startDim', 'endDim'], [1, -1]) as [
      number,
      number,
    ];
  }
  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Expands dim `dim` into `unflattenedSize`. */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }
  override forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${reprValue(this.unflattenedSize)}`;
  }
}
