/** Unfold (im2col) and Fold (col2im) as modules. */
import type { Tensor } from '../../tensor/tensor.js';
import { fold, unfold, type Size2, type UnfoldOptions } from '../../ops/fold.js';
import { Module, reprValue } from '../module.js';

/** [N, C, H, W] -> [N, C kH kW, L]: every sliding block as a column. */
export class Unfold extends Module {
  readonly dilation: Size2;
  readonly padding: Size2;
  readonly stride: Size2;

  constructor(
    readonly kernelSize: Size2,
    options: UnfoldOptions = {},
  ) {
    super();
    this.dilation = options.dilation ?? 1;
    this.padding = options.padding ?? 0;
    this.stride = options.stride ?? 1;
  }

  override forward(x: Tensor): Tensor {
    return unfold(x, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }

  override extraRepr(): string {
    const r = reprValue;
    return `kernel_size=${r(this.kernelSize)}, dilation=${r(this.dilation)}, padding=${r(this.padding)}, stride=${r(this.stride)}`;
  }
}

/** [N, C kH kW, L] -> [N, C, outH, outW]: the columns summed back into place (overlaps add). */
export class Fold extends Module {
  readonly dilation: Size2;
  readonly padding: Size2;
  readonly stride: Size2;

  constructor(
    readonly outputSize: Size2,
    readonly kernelSize: Size2,
    options: UnfoldOptions = {},
  ) {
    super();
    this.dilation = options.dilation ?? 1;
    this.padding = options.padding ?? 0;
    this.stride = options.stride ?? 1;
  }

  override forward(x: Tensor): Tensor {
    return fold(x, this.outputSize, this.kernelSize, {
      dilation: this.dilation,
      padding: this.padding,
      stride: this.stride,
    });
  }

  override extraRepr(): string {
    const r = reprValue;
    return `output_size=${r(this.outputSize)}, kernel_size=${r(this.kernelSize)}, dilation=${r(this.dilation)}, padding=${r(this.padding)}, stride=${r(this.stride)}`;
  }
}
