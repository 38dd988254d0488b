/** Linear, Bilinear-free: y = x W^T + b, and Identity. */
import { empty } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { linear } from '../../ops/linear.js';
import { Module, Parameter, reprValue } from '../module.js';
import * as init from '../init.js';
import { checkOptionKeys } from '../../options.js';

export interface LinearOptions {
  bias?: boolean;
  device?: string;
}

/**
 * y = x W^T + b with W [outFeatures, inFeatures]. PyTorch's default init: W and b from
 * U(-1/sqrt(inFeatures), 1/sqrt(inFeatures)) (kaiming_uniform_ with a = sqrt(5)).
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions | boolean = {}) {
    super();
    const opts = typeof options === 'boolean' ? { bias: options } : options;
    checkOptionKeys(this.constructor.name, opts, ['bias', 'device']);
    for (const [n, v] of [
      ['in_features', inFeatures],
      ['out_features', outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`Linear: ${n} must be a non-negative integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = Parameter.adopt(empty([outFeatures, inFeatures], { device: opts.device }));
    this.bias = opts.bias === false ? null : Parameter.adopt(empty([outFeatures], { device: opts.device }));
    this.resetParameters();
  }

  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const fanIn = this.inFeatures;
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${reprValue(this.bias !== null)}`;
  }
}

/** Returns its input. */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return x;
  }
}
