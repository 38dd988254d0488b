/**
 * conv2d, max/avg pooling — shape checks here, compute in kernels, gradients via backward kernels
 * (wrapped as recorded ops, so higher-order gradients work).
 */
import type { Conv2dParams, Pool2dParams } from '../backend/kernels.js';
import { formatShape, windowOutputSize } from '../backend/shape.js';
import type { MaxMinResult, Tensor } from '../tensor/tensor.js';
import { valuesIndices } from './named-tuple.js';
import { output, requireFloat } from './util.js';
import { pad, reshape } from './layout.js';
import { gather } from './indexing.js';
import { sum } from './reduce.js';
import { op, recordGrad, type OpSpec } from './op.js';

export type Pair = number | readonly [number, number];

function pair(v: Pair, name: string, op: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((n) => Number.isInteger(n))) throw new Error(`${op}: ${name} must be integers, got ${String(v)}`);
  return p;
}

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
}

const CONV2D: OpSpec = { name: 'conv2d', float: true };

export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const b = bias ?? null;
  return op(CONV2D, b === null ? [x, weight] : [x, weight, b], () => conv2dOf(x, weight, b, options));
}

function conv2dOf(x: Tensor, weight: Tensor, b: Tensor | null, options: Conv2dOptions): Tensor {
  const unbatched = x.ndim === 3;
  if (x.ndim !== 4 && !unbatched) {
    throw new Error(
      `conv2d: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${formatShape(x.shape)}`,
    );
  }
  const input = unbatched ? reshape(x, [1, ...x.shape]) : x;
  if (weight.ndim !== 4)
    throw new Error(`conv2d: weight must be 4-D [out, in/groups, kH, kW], got ${formatShape(weight.shape)}`);
  const groups = options.groups ?? 1;
  const [N, C] = input.shape as [number, number, number, number];
  const [O, Cg, kH, kW] = weight.shape as [number, number, number, number];
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0 || O % groups !== 0) {
    throw new Error(`conv2d: groups=${groups} must divide both in_channels (${C}) and out_channels (${O})`);
  }
  if (Cg * groups !== C) {
    throw new Error(
      `Given groups=${groups}, weight of size ${formatShape(weight.shape)}, expected input${formatShape(input.shape)} to have ${Cg * groups} channels, but got ${C} channels instead`,
    );
  }
  const stride = pair(options.stride ?? 1, 'stride', 'conv2d');
  const dilation = pair(options.dilation ?? 1, 'dilation', 'conv2d');
  let padding: [number, number];
  let extra: [number, number, number, number] | null = null;
  if (options.padding === 'valid') padding = [0, 0];
  else if (options.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1)
      throw new Error("conv2d: padding='same' is not supported for strided convolutions");
    const totalH = dilation[0] * (kH - 1);
    const totalW = dilation[1] * (kW - 1);
    padding = [Math.floor(totalH / 2), Math.floor(totalW / 2)];
    if (totalH % 2 !== 0 || totalW % 2 !== 0) extra = [0, totalW % 2, 0, totalH % 2];
  } else padding = pair(options.padding ?? 0, 'padding', 'conv2d');
  // Asymmetric 'same' padding: the extra row/column goes on the bottom/right, as PyTorch.
  const src = extra === null ? input : pad(input, [0, extra[1], 0, extra[3]]);
  const params: Conv2dParams = { stride, padding, dilation, groups };
  const Hs = src.shape[2]!;
  const Ws = src.shape[3]!;
  const Ho = windowOutputSize(Hs, kH, stride[0], padding[0], dilation[0]);
  const Wo = windowOutputSize(Ws, kW, stride[1], padding[1], dilation[1]);
  if (Ho <= 0 || Wo <= 0) {
    throw new Error(
      `conv2d: Calculated output size: (${O}x${Ho}x${Wo}) is too small: input ${formatShape(x.shape)}, kernel ${kH}x${kW}, padding ${padding.join('x')}, dilation ${dilation.join('x')}`,
    );
  }
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== O))
    throw new Error(`conv2d: bias must have shape [${O}], got ${formatShape(b.shape)}`);
  const shape = [N, O, Ho, Wo];
  const out =
    b === null
      ? conv2dRaw(src, weight, params, shape)
      : src.backend.kernels.conv2dBias !== undefined
        ? conv2dBiasRaw(src, weight, b, params, shape)
        : conv2dRaw(src, weight, params, shape).add(reshape(b, [1, O, 1, 1]));
  return unbatched ? reshape(out, shape.slice(1)) : out;
}

// The convolution and its two gradients as recorded ops: each one's gradient is one of the others
// (all three are linear in each argument), so under createGraph a backward through conv2d is
// differentiable again, to any order. Outside createGraph they record nothing extra.

/** conv2d without bias (the kernel), recorded. */
function conv2dRaw(x: Tensor, w: Tensor, params: Conv2dParams, shape: readonly number[]): Tensor {
  return op('conv2d', () => {
    const out = output(x.backend, x.backend.kernels.conv2d(x.ref, w.ref, params, shape), shape, x.dtype);
    const [xShape, wShape] = [x.shape, w.shape];
    const [needX, needW] = [x.requiresGrad, w.requiresGrad];
    // dx reads w, dw reads x: save only what the wanted gradients need.
    const saveList = [...(needW ? [x] : []), ...(needX ? [w] : [])];
    return recordGrad(out, [x, w], saveList, (g, saved) => {
      const sx = needW ? saved[0]! : null;
      const sw = needX ? saved[needW ? 1 : 0]! : null;
      return [
        sw === null ? null : conv2dInputGrad(g, sw, xShape, params),
        sx === null ? null : conv2dWeightGrad(sx, g, wShape, params),
      ];
    });
  });
}

/**
 * conv2d plus bias[O] on the backend's fused kernel (the optional conv2dBias), recorded with the
 * same gradients as the composite conv2dRaw(x, w) + bias: dx and dw as conv2dRaw's, dbias the sum
 * of g over N, H and W.
 */
function conv2dBiasRaw(x: Tensor, w: Tensor, bias: Tensor, params: Conv2dParams, shape: readonly number[]): Tensor {
  return op('conv2d', () => {
    const k = x.backend.kernels;
    const out = output(x.backend, k.conv2dBias!(x.ref, w.ref, bias.ref, params, shape), shape, x.dtype);
    const [xShape, wShape] = [x.shape, w.shape];
    const [needX, needW, needB] = [x.requiresGrad, w.requiresGrad, bias.requiresGrad];
    const saveList = [...(needW ? [x] : []), ...(needX ? [w] : [])];
    return recordGrad(out, [x, w, bias], saveList, (g, saved) => {
      const sx = needW ? saved[0]! : null;
      const sw = needX ? saved[needW ? 1 : 0]! : null;
      return [
        sw === null ? null : conv2dInputGrad(g, sw, xShape, params),
        sx === null ? null : conv2dWeightGrad(sx, g, wShape, params),
        needB ? sum(g, [0, 2, 3]) : null,
      ];
    });
  });
}

/** d conv2d / d input: <conv2dInputGrad(g, w), u> = <g, conv2d(u, w)>. */
function conv2dInputGrad(g: Tensor, w: Tensor, xShape: readonly number[], params: Conv2dParams): Tensor {
  return op('conv2dBackwardInput', () => {
    const b = g.backend;
    const out = output(b, b.kernels.conv2dBackwardInput(g.ref, w.ref, xShape, params), xShape, g.dtype);
    const [gShape, wShape] = [g.shape, w.shape];
    const [needG, needW] = [g.requiresGrad, w.requiresGrad];
    const saveList = [...(needW ? [g] : []), ...(needG ? [w] : [])];
    return recordGrad(out, [g, w], saveList, (gg, saved) => {
      const sg = needW ? saved[0]! : null;
      const sw = needG ? saved[needW ? 1 : 0]! : null;
      return [
        sw === null ? null : conv2dRaw(gg, sw, params, gShape),
        sg === null ? null : conv2dWeightGrad(gg, sg, wShape, params),
      ];
    });
  });
}

/** d conv2d / d weight: <conv2dWeightGrad(x, g), v> = <g, conv2d(x, v)>. */
function conv2dWeightGrad(x: Tensor, g: Tensor, wShape: readonly number[], params: Conv2dParams): Tensor {
  return op('conv2dBackwardWeight', () => {
    const b = g.backend;
    const out = output(b, b.kernels.conv2dBackwardWeight(x.ref, g.ref, wShape, params), wShape, g.dtype);
    const [xShape, gShape] = [x.shape, g.shape];
    const [needX, needG] = [x.requiresGrad, g.requiresGrad];
    const saveList = [...(needX ? [g] : []), ...(needG ? [x] : [])];
    return recordGrad(out, [x, g], saveList, (gw, saved) => {
      const sg = needX ? saved[0]! : null;
      const sx = needG ? saved[needX ? 1 : 0]! : null;
      return [
        sg === null ? null : conv2dInputGrad(sg, gw, xShape, params),
        sx === null ? null : conv2dRaw(sx, gw, params, gShape),
      ];
    });
  });
}

export interface Pool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

function poolSetup(op: string, x: Tensor, kernelSize: Pair, options: Pool2dOptions, withDilation: boolean) {
  requireFloat(op, x);
  const unbatched = x.ndim === 3;
  if (x.ndim !== 4 && !unbatched)
    throw new Error(`${op}: Expected 3D or 4D (batch mode) tensor for input, got ${formatShape(x.shape)}`);
  const input = unbatched ? reshape(x, [1, ...x.shape]) : x;
  const kernel = pair(kernelSize, 'kernel_size', op);
  const stride = options.stride === undefined || options.stride === null ? kernel : pair(options.stride, 'stride', op);
  const padding = pair(options.padding ?? 0, 'padding', op);
  const dilation = withDilation ? pair(options.dilation ?? 1, 'dilation', op) : ([1, 1] as [number, number]);
  for (let i = 0; i < 2; i++) {
    if (padding[i]! * 2 > kernel[i]!) {
      throw new Error(
        `${op}: pad should be at most half of effective kernel size, but got pad=${padding[i]}, kernel_size=${kernel[i]}`,
      );
    }
  }
  const params: Pool2dParams = {
    kernelSize: kernel,
    stride,
    padding,
    dilation,
    ceilMode: options.ceilMode ?? false,
    countIncludePad: options.countIncludePad ?? true,
    divisorOverride: options.divisorOverride ?? undefined,
  };
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const Ho = windowOutputSize(H, kernel[0], stride[0], padding[0], dilation[0], params.ceilMode);
  const Wo = windowOutputSize(W, kernel[1], stride[1], padding[1], dilation[1], params.ceilMode);
  if (Ho <= 0 || Wo <= 0) {
    throw new Error(
      `${op}: Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${Ho}x${Wo}). Output size is too small`,
    );
  }
  return { input, unbatched, params, shape: [N, C, Ho, Wo] };
}

/** A batch of one (unbatched input) loses its batch dim again. */
function unbatch(out: Tensor, unbatched: boolean): Tensor {
  return unbatched ? reshape(out, out.shape.slice(1)) : out;
}

export function maxPool2dWithIndices(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): MaxMinResult {
  return op('maxPool2d', () => {
    const { input, unbatched, params, shape } = poolSetup('maxPool2d', x, kernelSize, options, true);
    const res = input.backend.kernels.maxPool2d(input.ref, params, shape);
    const indices = output(input.backend, res.indices, shape, 'int32');
    const values = output(input.backend, res.values, shape, input.dtype);
    const xShape = input.shape;
    const recorded = recordGrad(values, [input], [indices], (g, [si]) => [maxPoolGrad(g, si!, xShape, params)]);
    return valuesIndices(unbatch(recorded, unbatched), unbatch(indices, unbatched));
  });
}

export function maxPool2d(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  return op('maxPool2d', () => maxPool2dWithIndices(x, kernelSize, options).values);
}

export function avgPool2d(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  if (options.divisorOverride !== undefined && options.divisorOverride !== null && options.divisorOverride === 0) {
    throw new Error('avgPool2d: divisor must be not zero');
  }
  return op('avgPool2d', () => {
    const { input, unbatched, params, shape } = poolSetup('avgPool2d', x, kernelSize, options, false);
    return unbatch(avgPoolRaw(input, params, shape), unbatched);
  });
}

/**
 * max pooling's gradient, recorded: its own gradient picks gg at the argmax of each window
 * (a gather within each plane), so createGraph differentiates it again.
 */
function maxPoolGrad(g: Tensor, indices: Tensor, xShape: readonly number[], params: Pool2dParams): Tensor {
  return op('maxPool2dBackward', () => {
    const b = g.backend;
    const out = output(b, b.kernels.maxPool2dBackward(g.ref, indices.ref, xShape, params), xShape, g.dtype);
    const gShape = g.shape;
    return recordGrad(out, [g], [indices], (gg, [si]) => {
      const [N, C, H, W] = xShape as [number, number, number, number];
      const planes = reshape(si!, [N, C, gShape[2]! * gShape[3]!]);
      return [reshape(gather(reshape(gg, [N, C, H * W]), 2, planes), gShape)];
    });
  });
}

/** avgPool2d (the kernel), recorded; its gradient and that gradient's gradient alternate. */
function avgPoolRaw(x: Tensor, params: Pool2dParams, shape: readonly number[]): Tensor {
  const xShape = x.shape;
  return op('avgPool2d', () =>
    recordGrad(output(x.backend, x.backend.kernels.avgPool2d(x.ref, params, shape), shape, x.dtype), [x], [], (g) => [
      avgPoolGrad(g, xShape, params),
    ]),
  );
}

/** <avgPoolGrad(g), u> = <g, avgPool2d(u)>: its gradient is avgPool2d of gg. */
function avgPoolGrad(g: Tensor, xShape: readonly number[], params: Pool2dParams): Tensor {
  const gShape = g.shape;
  return op('avgPool2dBackward', () => {
    const b = g.backend;
    const out = output(b, b.kernels.avgPool2dBackward(g.ref, xShape, params), xShape, g.dtype);
    return recordGrad(out, [g], [], (gg) => [avgPoolRaw(gg, params, gShape)]);
  });
}
