/** Conv1d and Conv2d with PyTorch's options (padding modes included) and default init. */
import { empty } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { conv2d, type Pair } from '../../ops/conv.js';
import { conv1d } from '../../ops/conv-transpose.js';
import { padWithMode } from '../../ops/pad-modes.js';
import { Module, Parameter, reprValue } from '../module.js';
import * as init from '../init.js';
import { checkOptionKeys } from '../../options.js';

/** How a convolution pads: zeros (inside the kernel), or F.pad's reflect/replicate/circular first. */
export type ConvPaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
const PADDING_MODES: readonly ConvPaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

function checkPaddingMode(mode: ConvPaddingMode): ConvPaddingMode {
  if (!PADDING_MODES.includes(mode)) {
    throw new Error(
      `padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${String(mode)}'`,
    );
  }
  return mode;
}

/**
 * PyTorch's _reversed_padding_repeated_twice: F.pad's list (last dim first) for a numeric or
 * 'same' padding; 'same' puts the odd extra element at the end, as PyTorch.
 */
function reversedPadding(
  padding: readonly number[] | 'valid' | 'same',
  kernel: readonly number[],
  dilation: readonly number[],
): number[] {
  const out: number[] = [];
  for (let i = kernel.length - 1; i >= 0; i--) {
    if (padding === 'valid') out.push(0, 0);
    else if (padding === 'same') {
      const total = dilation[i]! * (kernel[i]! - 1);
      const left = Math.floor(total / 2);
      out.push(left, total - left);
    } else out.push(padding[i]!, padding[i]!);
  }
  return out;
}

function checkGroups(inChannels: number, outChannels: number, groups: number): void {
  if (!Number.isInteger(groups) || groups <= 0) throw new Error('groups must be a positive integer');
  if (inChannels % groups !== 0) throw new Error('in_channels must be divisible by groups');
  if (outChannels % groups !== 0) throw new Error('out_channels must be divisible by groups');
}

function checkPaddingString(padding: unknown, strides: readonly number[]): void {
  if (typeof padding !== 'string') return;
  if (padding !== 'valid' && padding !== 'same')
    throw new Error(`Invalid padding string '${String(padding)}', should be one of ['valid', 'same']`);
  if (padding === 'same' && strides.some((s) => s !== 1))
    throw new Error("padding='same' is not supported for strided convolutions");
}

/** PyTorch's default conv init: kaiming_uniform_(a = sqrt(5)), bias U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
export function resetConvParameters(weight: Parameter, bias: Parameter | null): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const [fanIn] = init.calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform_(bias, -bound, bound);
  }
}

export type Single = number | readonly [number];
const singleOf = (v: Single): [number] => (typeof v === 'number' ? [v] : [v[0]]);

const CONV_OPTIONS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'device'];

export interface Conv1dModuleOptions {
  stride?: Single;
  padding?: Single | 'valid' | 'same';
  dilation?: Single;
  groups?: number;
  bias?: boolean;
  paddingMode?: ConvPaddingMode;
  device?: string;
}

/** 1-D convolution over [N, C, L] (or unbatched [C, L]). Weight [out, in/groups, k]; init as Conv2d. */
export class Conv1d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number];
  readonly stride: [number];
  readonly padding: [number] | 'valid' | 'same';
  readonly dilation: [number];
  readonly groups: number;
  readonly paddingMode: ConvPaddingMode;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Single, options: Conv1dModuleOptions = {}) {
    super();
    checkOptionKeys(this.constructor.name, options, CONV_OPTIONS);
    const groups = options.groups ?? 1;
    checkGroups(inChannels, outChannels, groups);
    const padding = options.padding ?? 0;
    checkPaddingString(padding, singleOf(options.stride ?? 1));
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = singleOf(kernelSize);
    this.stride = singleOf(options.stride ?? 1);
    this.padding = typeof padding === 'string' ? padding : singleOf(padding);
    this.dilation = singleOf(options.dilation ?? 1);
    this.groups = groups;
    this.paddingMode = checkPaddingMode(options.paddingMode ?? 'zeros');
    this.weight = Parameter.adopt(
      empty([outChannels, inChannels / groups, ...this.kernelSize], { device: options.device }),
    );
    this.bias = options.bias === false ? null : Parameter.adopt(empty([outChannels], { device: options.device }));
    this.resetParameters();
  }

  resetParameters(): void {
    resetConvParameters(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return conv1d(x, this.weight, this.bias, { ...options, padding: this.padding });
    const padded = padWithMode(x, reversedPadding(this.padding, this.kernelSize, this.dilation), this.paddingMode);
    const out = conv1d(padded, this.weight, this.bias, { ...options, padding: 0 });
    if (padded !== x) padded.dispose();
    return out;
  }

  override extraRepr(): string {
    return convRepr(this);
  }
}

/** PyTorch's _ConvNd.extra_repr. */
export function convRepr(m: {
  inChannels: number;
  outChannels: number;
  kernelSize: readonly number[];
  stride: readonly number[];
  padding: readonly number[] | string;
  dilation: readonly number[];
  groups: number;
  bias: Parameter | null;
  paddingMode: string;
  outputPadding?: readonly number[];
}): string {
  const r = reprValue;
  let s = `${m.inChannels}, ${m.outChannels}, kernel_size=${r(m.kernelSize)}, stride=${r(m.stride)}`;
  const p = m.padding;
  if (typeof p === 'string' || p.some((v) => v !== 0)) s += `, padding=${r(p)}`;
  if (m.dilation.some((v) => v !== 1)) s += `, dilation=${r(m.dilation)}`;
  if (m.outputPadding?.some((v) => v !== 0)) s += `, output_padding=${r(m.outputPadding)}`;
  if (m.groups !== 1) s += `, groups=${m.groups}`;
  if (m.bias === null) s += ', bias=False';
  if (m.paddingMode !== 'zeros') s += `, padding_mode=${m.paddingMode}`;
  return s;
}

export interface Conv2dModuleOptions {
  stride?: Pair;
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  /** 'zeros' (default), or F.pad's reflect/replicate/circular applied before a valid convolution. */
  paddingMode?: ConvPaddingMode;
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
  readonly paddingMode: ConvPaddingMode;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dModuleOptions = {}) {
    super();
    checkOptionKeys(this.constructor.name, options, CONV_OPTIONS);
    const groups = options.groups ?? 1;
    checkGroups(inChannels, outChannels, groups);
    const padding = options.padding ?? 0;
    checkPaddingString(padding, pairOf(options.stride ?? 1));
    const paddingMode = checkPaddingMode(options.paddingMode ?? 'zeros');
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
    resetConvParameters(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return conv2d(x, this.weight, this.bias, { ...options, padding: this.padding });
    const padded = padWithMode(x, reversedPadding(this.padding, this.kernelSize, this.dilation), this.paddingMode);
    const out = conv2d(padded, this.weight, this.bias, { ...options, padding: 0 });
    if (padded !== x) padded.dispose();
    return out;
  }

  override extraRepr(): string {
    return convRepr(this);
  }
}
