/** ConvTranspose1d and ConvTranspose2d with PyTorch's options, parameter layout and default init. */
import { empty } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { convTranspose1d, convTranspose2d } from '../../ops/conv-transpose.js';
import { Module, Parameter } from '../module.js';
import { convRepr, resetConvParameters } from './conv.js';

export interface ConvTransposeModuleOptions<S> {
  stride?: S;
  padding?: S;
  outputPadding?: S;
  groups?: number;
  bias?: boolean;
  dilation?: S;
  /** Only 'zeros', as PyTorch's transposed convolutions. */
  paddingMode?: 'zeros';
  device?: string;
}

type Sizes<N extends number> = N extends 1 ? [number] : [number, number];

const sizesOf = <N extends 1 | 2>(v: number | readonly number[], n: N): Sizes<N> =>
  (typeof v === 'number' ? new Array<number>(n).fill(v) : [...v]) as Sizes<N>;

/** The shared part of ConvTranspose1d/2d: weight [in, out/groups, ...kernel], bias [out]. */
abstract class ConvTransposeNd<N extends 1 | 2> extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Sizes<N>;
  readonly stride: Sizes<N>;
  readonly padding: Sizes<N>;
  readonly outputPadding: Sizes<N>;
  readonly dilation: Sizes<N>;
  readonly groups: number;
  readonly paddingMode = 'zeros';
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    dims: N,
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    options: ConvTransposeModuleOptions<number | readonly number[]>,
  ) {
    super();
    const groups = options.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new Error('groups must be a positive integer');
    if (inChannels % groups !== 0) throw new Error('in_channels must be divisible by groups');
    if (outChannels % groups !== 0) throw new Error('out_channels must be divisible by groups');
    if ((options.paddingMode ?? 'zeros') !== 'zeros')
      throw new Error(`Only "zeros" padding mode is supported for ${this.constructor.name}`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = sizesOf(kernelSize, dims);
    this.stride = sizesOf(options.stride ?? 1, dims);
    this.padding = sizesOf(options.padding ?? 0, dims);
    this.outputPadding = sizesOf(options.outputPadding ?? 0, dims);
    this.dilation = sizesOf(options.dilation ?? 1, dims);
    this.groups = groups;
    this.weight = Parameter.adopt(
      empty([inChannels, outChannels / groups, ...this.kernelSize], { device: options.device }),
    );
    this.bias = options.bias === false ? null : Parameter.adopt(empty([outChannels], { device: options.device }));
    this.resetParameters();
  }

  resetParameters(): void {
    resetConvParameters(this.weight, this.bias);
  }

  /**
   * The output padding that makes the output `outputSize` (PyTorch's _output_padding): the
   * spatial size, or a full shape whose trailing dims are it.
   */
  protected outputPaddingFor(x: Tensor, outputSize: readonly number[] | undefined): Sizes<N> {
    if (outputSize === undefined) return this.outputPadding;
    const k = this.kernelSize.length;
    const wanted = outputSize.length > k ? outputSize.slice(-k) : [...outputSize];
    if (wanted.length !== k) {
      throw new Error(`ConvTranspose${k}d: output_size must have ${k} or ${k + 2} elements (got ${outputSize.length})`);
    }
    const spatial = x.shape.slice(-k);
    return wanted.map((size, d) => {
      const min =
        (spatial[d]! - 1) * this.stride[d]! - 2 * this.padding[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1;
      const max = min + this.stride[d]! - 1;
      if (size < min || size > max) {
        throw new Error(
          `ConvTranspose${k}d: requested an output size of [${wanted.join(', ')}], but valid sizes range from [${min}] to [${max}] in dim ${d} (for an input of ${spatial.join('x')})`,
        );
      }
      return size - min;
    }) as Sizes<N>;
  }

  override extraRepr(): string {
    return convRepr(this);
  }
}

/** Transposed 1-D convolution over [N, Cin, L] (or unbatched [Cin, L]); weight [in, out/groups, k]. */
export class ConvTranspose1d extends ConvTransposeNd<1> {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number],
    options: ConvTransposeModuleOptions<number | readonly [number]> = {},
  ) {
    super(1, inChannels, outChannels, kernelSize, options);
  }

  /** forward(x) or forward(x, outputSize): outputSize picks the output padding, as PyTorch's output_size. */
  override forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    return convTranspose1d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPaddingFor(x, outputSize),
      groups: this.groups,
      dilation: this.dilation,
    });
  }
}

/** Transposed 2-D convolution over [N, Cin, H, W] (or unbatched [Cin, H, W]); weight [in, out/groups, kH, kW]. */
export class ConvTranspose2d extends ConvTransposeNd<2> {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number, number],
    options: ConvTransposeModuleOptions<number | readonly [number, number]> = {},
  ) {
    super(2, inChannels, outChannels, kernelSize, options);
  }

  /** forward(x) or forward(x, outputSize): outputSize picks the output padding, as PyTorch's output_size. */
  override forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPaddingFor(x, outputSize),
      groups: this.groups,
      dilation: this.dilation,
    });
  }
}
