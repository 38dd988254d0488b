/** Bilinear: y = x1^T A x2 + b. */
import { empty } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { Module, Parameter, reprValue } from '../module.js';

/** weight [out, in1, in2] and bias [out], both U(-1/sqrt(in1), 1/sqrt(in1)) as PyTorch. */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  weight: Parameter;
  declare bias: Parameter | null;

  constructor(
    in1Features: number,
    in2Features: number,
    outFeatures: number,
    options: { bias?: boolean; device?: string } = {},
  ) {
    super();
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    const device = options.device;
    this.weight = Parameter.adopt(empty([outFeatures, in1Features, in2Features], { device }));
    this.registerParameter('bias', options.bias === false ? null : Parameter.adopt(empty([outFeatures], { device })));
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]!);
    init.uniform_(this.weight, -bound, bound);
    if (this.bias !== null) init.uniform_(this.bias, -bound, bound);
  }

  override forward(x1: Tensor, x2: Tensor): Tensor {
    return F.bilinear(x1, x2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${reprValue(this.bias !== null)}`;
  }
}
