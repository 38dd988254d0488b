/** Activation modules (thin wrappers over nn.functional). */
import { full } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as F from '../functional.js';
import { Module, Parameter, pyFloat, reprValue } from '../module.js';
import { keywordOrValue, keywordsOrValues } from '../../options.js';

export class ReLU extends Module {
  override forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

export class ReLU6 extends Module {
  override forward(x: Tensor): Tensor {
    return F.relu6(x);
  }
}

export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

export class SiLU extends Module {
  override forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

/** GELU, exact ('none', the default) or with the tanh approximation. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(options: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = 'none') {
    super();
    const approximate = keywordOrValue<'none' | 'tanh'>('GELU', options, 'approximate') ?? 'none';
    if (approximate !== 'none' && approximate !== 'tanh')
      throw new Error(`approximate argument must be either none or tanh (got '${String(approximate)}')`);
    this.approximate = approximate;
  }
  override forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate=${reprValue(this.approximate)}`;
  }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(options: number | { negativeSlope?: number; inplace?: boolean } = 0.01) {
    super();
    this.negativeSlope = keywordOrValue<number>('LeakyReLU', options, 'negativeSlope', ['inplace']) ?? 0.01;
  }
  override forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

export class ELU extends Module {
  readonly alpha: number;
  constructor(options: number | { alpha?: number; inplace?: boolean } = 1) {
    super();
    this.alpha = keywordOrValue<number>('ELU', options, 'alpha', ['inplace']) ?? 1;
  }
  override forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(beta: number | { beta?: number; threshold?: number } = 1, threshold = 20) {
    super();
    [this.beta, this.threshold] = keywordsOrValues('Softplus', beta, [threshold], ['beta', 'threshold'], [1, 20]) as [
      number,
      number,
    ];
  }
  override forward(x: Tensor): Tensor {
    return F.softplus(x, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  constructor(options: number | { minVal?: number; maxVal?: number; inplace?: boolean } = -1, max = 1) {
    super();
    const [minVal, maxVal] = keywordsOrValues(
      'Hardtanh',
      options,
      [max],
      ['minVal', 'maxVal'],
      [-1, 1],
      ['inplace'],
    ) as [number, number];
    if (minVal > maxVal) throw new Error(`Hardtanh: min_val (${minVal}) cannot be greater than max_val (${maxVal})`);
    this.minVal = minVal;
    this.maxVal = maxVal;
  }
  override forward(x: Tensor): Tensor {
    return F.hardtanh(x, this.minVal, this.maxVal);
  }
  override extraRepr(): string {
    return `min_val=${this.minVal}, max_val=${this.maxVal}`;
  }
}

/** Softmax along `dim` (PyTorch's legacy implicit dim when omitted). */
export class Softmax extends Module {
  readonly dim: number | undefined;
  constructor(dim?: number | { dim?: number }) {
    super();
    this.dim = keywordOrValue<number>('Softmax', dim, 'dim');
  }
  override forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${reprValue(this.dim)}`;
  }
}

export class LogSoftmax extends Module {
  readonly dim: number | undefined;
  constructor(dim?: number | { dim?: number }) {
    super();
    this.dim = keywordOrValue<number>('LogSoftmax', dim, 'dim');
  }
  override forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${reprValue(this.dim)}`;
  }
}

/** SELU: scale * (x for x > 0, alpha (exp(x) - 1) otherwise), PyTorch's alpha and scale. */
export class SELU extends Module {
  override forward(x: Tensor): Tensor {
    return F.selu(x);
  }
}

export class CELU extends Module {
  readonly alpha: number;
  constructor(options: number | { alpha?: number; inplace?: boolean } = 1) {
    super();
    this.alpha = keywordOrValue<number>('CELU', options, 'alpha', ['inplace']) ?? 1;
  }
  override forward(x: Tensor): Tensor {
    return F.celu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/** PReLU: a learnt negative slope, one (numParameters = 1) or one per channel, initialised to `init`. */
export class PReLU extends Module {
  readonly numParameters: number;
  weight: Parameter;
  constructor(
    numParameters: number | { numParameters?: number; init?: number; device?: string } = 1,
    init = 0.25,
    options: { device?: string } = {},
  ) {
    super();
    // new nn.PReLU(3, 0.1) or new nn.PReLU({ numParameters: 3, init: 0.1 }) (PyTorch's keywords).
    if (typeof numParameters === 'object') {
      init = numParameters.init ?? 0.25;
      options = { device: numParameters.device };
      numParameters = numParameters.numParameters ?? 1;
    }
    if (!Number.isInteger(numParameters) || numParameters < 1)
      throw new Error(`PReLU: numParameters must be a positive integer, got ${numParameters}`);
    this.numParameters = numParameters;
    this.weight = Parameter.adopt(full([numParameters], init, { device: options.device }));
  }
  override forward(x: Tensor): Tensor {
    return F.prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/** Randomized leaky ReLU: random slopes in [lower, upper) in training, their mean in eval. */
export class RReLU extends Module {
  readonly lower: number;
  readonly upper: number;
  constructor(lower: number | { lower?: number; upper?: number; inplace?: boolean } = 1 / 8, upper = 1 / 3) {
    super();
    [this.lower, this.upper] = keywordsOrValues(
      'RReLU',
      lower,
      [upper],
      ['lower', 'upper'],
      [1 / 8, 1 / 3],
      ['inplace'],
    ) as [number, number];
  }
  override forward(x: Tensor): Tensor {
    return F.rrelu(x, this.lower, this.upper, this.training);
  }
  override extraRepr(): string {
    return `lower=${this.lower}, upper=${this.upper}`;
  }
}

export class Mish extends Module {
  override forward(x: Tensor): Tensor {
    return F.mish(x);
  }
}

export class Hardswish extends Module {
  override forward(x: Tensor): Tensor {
    return F.hardswish(x);
  }
}

export class Hardsigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return F.hardsigmoid(x);
  }
}

export class Softsign extends Module {
  override forward(x: Tensor): Tensor {
    return F.softsign(x);
  }
}

export class LogSigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return F.logsigmoid(x);
  }
}

export class Tanhshrink extends Module {
  override forward(x: Tensor): Tensor {
    return F.tanhshrink(x);
  }
}

/** Softmin along `dim` (PyTorch's legacy implicit dim when omitted). */
export class Softmin extends Module {
  readonly dim: number | undefined;
  constructor(dim?: number) {
    super();
    this.dim = dim;
  }
  override forward(x: Tensor): Tensor {
    return F.softmin(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${reprValue(this.dim)}`;
  }
}

/** Gated linear unit over `dim` (default the last). */
export class GLU extends Module {
  readonly dim: number;
  constructor(dim = -1) {
    super();
    this.dim = dim;
  }
  override forward(x: Tensor): Tensor {
    return F.glu(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** x where x > threshold, else value. */
export class Threshold extends Module {
  readonly threshold: number;
  readonly value: number;
  constructor(threshold: number, value: number) {
    super();
    this.threshold = threshold;
    this.value = value;
  }
  override forward(x: Tensor): Tensor {
    return F.threshold(x, this.threshold, this.value);
  }
  override extraRepr(): string {
    return `threshold=${this.threshold}, value=${this.value}`;
  }
}

export class Hardshrink extends Module {
  readonly lambd: number;
  constructor(options: number | { lambd?: number } = 0.5) {
    super();
    this.lambd = keywordOrValue<number>('Hardshrink', options, 'lambd') ?? 0.5;
  }
  override forward(x: Tensor): Tensor {
    return F.hardshrink(x, this.lambd);
  }
  override extraRepr(): string {
    return `${this.lambd}`;
  }
}

export class Softshrink extends Module {
  readonly lambd: number;
  constructor(options: number | { lambd?: number } = 0.5) {
    super();
    const lambd = keywordOrValue<number>('Softshrink', options, 'lambd') ?? 0.5;
    if (lambd < 0) throw new Error(`lambda must be greater or equal to 0, but found to be ${lambd}.`);
    this.lambd = lambd;
  }
  override forward(x: Tensor): Tensor {
    return F.softshrink(x, this.lambd);
  }
  override extraRepr(): string {
    return `${this.lambd}`;
  }
}
