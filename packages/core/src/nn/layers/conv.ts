/** Conv2d with PyTorch's options and default init. */
import { empty } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { conv2d, type Pair } from '../../ops/conv.js';
import { Module, Parameter, reprValue } from '../module.js';
import * as init from '../init.js';

export interface Conv2dModuleOptions {
  stride?: Pair;
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  /** Only 'zeros' is supported. */
  paddingMode?: 'zeros';
  device?: string;
}

const pairOf = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/**
 * 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]). Weight [out, in/groups, kH, kW];
 * default init as PyTorch: kaiming_uniform_(a = sqrt(5)) and bias U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'valid' | 'same';
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: 'zeros';
  weight: Parameter;
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dModuleOptions = {}) {
    super();
    const groups = options.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new Error('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new Error('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new Error('out_channels must be divisible by groups');
    const padding = options.padding ?? 0;
    if (typeof padding === 'string') {
      if (padding !== 'valid' && padding !== 'same')
        throw new Error(`Invalid padding string '${String(padding)}', should be one of ['valid', 'same']`);
      if (padding === 'same' && pairOf(options.stride ?? 1).some((s) => s !== 1))
        throw new Error("padding='same' is not supported for strided convolutions");
    }
    const paddingMode = options.paddingMode ?? 'zeros';
    if (paddingMode !== 'zeros')
      throw new Error(`padding_mode '${String(paddingMode)}' is not supported (only 'zeros')`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pairOf(kernelSize);
    this.stride = pairOf(options.stride ?? 1);
    this.padding = typeof padding === 'string' ? padding : pairOf(padding);
    this.dilation = pairOf(options.dilation ?? 1);
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.weight = Parameter.adopt(
      empty([outChannels, inChannels / groups, ...this.kernelSize], { device: options.device }),
    );
    this.bias = options.bias === false ? null : Parameter.adopt(empty([outChannels], { device: options.device }));
    this.resetParameters();
  }

  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${reprValue(this.kernelSize)}, stride=${reprValue(this.stride)}`;
    const p = this.padding;
    if (typeof p === 'string' || p[0] !== 0 || p[1] !== 0) s += `, padding=${reprValue(p)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${reprValue(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}
