/** Max and average pooling (1-D and 2-D) and adaptive pooling. */
import type { MaxMinResult, Tensor } from '../../tensor/tensor.js';
import { avgPool2d, maxPool2d, maxPool2dWithIndices, type Pair } from '../../ops/conv.js';
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool1dWithIndices,
  adaptiveMaxPool2d,
  adaptiveMaxPool2dWithIndices,
  avgPool1d,
  maxPool1d,
  maxPool1dWithIndices,
  type AdaptiveSize1,
  type AdaptiveSize2,
  type Size1 as Single,
} from '../../ops/pooling.js';
import { Module, reprValue } from '../module.js';

export interface MaxPool2dOptions {
  /** Defaults to kernelSize. */
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

/** Max over kH x kW windows. With returnIndices, forward returns { values, indices }. */
export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;

  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.returnIndices = options.returnIndices ?? false;
    this.ceilMode = options.ceilMode ?? false;
  }

  override forward(x: Tensor): Tensor | MaxMinResult {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return this.returnIndices ? maxPool2dWithIndices(x, this.kernelSize, opts) : maxPool2d(x, this.kernelSize, opts);
  }

  override extraRepr(): string {
    const r = reprValue;
    return `kernel_size=${r(this.kernelSize)}, stride=${r(this.stride)}, padding=${r(this.padding)}, dilation=${r(this.dilation)}, ceil_mode=${r(this.ceilMode)}`;
  }
}

export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** Mean over kH x kW windows. */
export class AvgPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Pair, options: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${reprValue(this.kernelSize)}, stride=${reprValue(this.stride)}, padding=${reprValue(this.padding)}`;
  }
}

export interface MaxPool1dOptions {
  /** Defaults to kernelSize. */
  stride?: Single | null;
  padding?: Single;
  dilation?: Single;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

/** Max over windows of a [N, C, L] (or [C, L]) signal. With returnIndices, forward returns { values, indices }. */
export class MaxPool1d extends Module {
  readonly kernelSize: Single;
  readonly stride: Single;
  readonly padding: Single;
  readonly dilation: Single;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;

  constructor(kernelSize: Single, options: MaxPool1dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.returnIndices = options.returnIndices ?? false;
    this.ceilMode = options.ceilMode ?? false;
  }

  override forward(x: Tensor): Tensor | MaxMinResult {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return this.returnIndices ? maxPool1dWithIndices(x, this.kernelSize, opts) : maxPool1d(x, this.kernelSize, opts);
  }

  override extraRepr(): string {
    const r = reprValue;
    return `kernel_size=${r(this.kernelSize)}, stride=${r(this.stride)}, padding=${r(this.padding)}, dilation=${r(this.dilation)}, ceil_mode=${r(this.ceilMode)}`;
  }
}

export interface AvgPool1dOptions {
  stride?: Single | null;
  padding?: Single;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** Mean over windows of a [N, C, L] (or [C, L]) signal. */
export class AvgPool1d extends Module {
  readonly kernelSize: Single;
  readonly stride: Single;
  readonly padding: Single;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: Single, options: AvgPool1dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
  }

  override forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${reprValue(singleTuple(this.kernelSize))}, stride=${reprValue(singleTuple(this.stride))}, padding=${reprValue(singleTuple(this.padding))}`;
  }
}

const singleTuple = (v: Single): [number] => (typeof v === 'number' ? [v] : [v[0]]);

/** Average over PyTorch's adaptive bins: any input length -> outputSize. */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: AdaptiveSize1) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${reprValue(this.outputSize)}`;
  }
}

/** Average over PyTorch's adaptive bins: any [H, W] -> outputSize (null keeps that input dim). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize2) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${reprValue(this.outputSize)}`;
  }
}

/** Max over PyTorch's adaptive bins. With returnIndices, forward returns { values, indices }. */
export class AdaptiveMaxPool1d extends Module {
  readonly returnIndices: boolean;

  constructor(
    readonly outputSize: AdaptiveSize1,
    options: { returnIndices?: boolean } = {},
  ) {
    super();
    this.returnIndices = options.returnIndices ?? false;
  }

  override forward(x: Tensor): Tensor | MaxMinResult {
    return this.returnIndices
      ? adaptiveMaxPool1dWithIndices(x, this.outputSize)
      : adaptiveMaxPool1d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${reprValue(this.outputSize)}`;
  }
}

/** Max over PyTorch's adaptive bins. With returnIndices, forward returns { values, indices }. */
export class AdaptiveMaxPool2d extends Module {
  readonly returnIndices: boolean;

  constructor(
    readonly outputSize: AdaptiveSize2,
    options: { returnIndices?: boolean } = {},
  ) {
    super();
    this.returnIndices = options.returnIndices ?? false;
  }

  override forward(x: Tensor): Tensor | MaxMinResult {
    return this.returnIndices
      ? adaptiveMaxPool2dWithIndices(x, this.outputSize)
      : adaptiveMaxPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${reprValue(this.outputSize)}`;
  }
}
