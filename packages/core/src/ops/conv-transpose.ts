/**
 * conv1d, conv_transpose1d and conv_transpose2d, with no kernels of their own: conv1d is conv2d on
 * a height-1 image; the transposed convolution is exactly conv2d's input gradient (the
 * conv2dBackwardInput kernel), its input gradient is conv2d and its weight gradient is the
 * conv2dBackwardWeight kernel with the roles of input and output swapped. Both kernel calls are
 * recorded ops whose gradients are each other and conv2d, so createGraph differentiates again.
 */
import type { Conv2dParams } from '../backend/kernels.js';
import { formatShape } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { commonBackend, output, requireFloat } from './util.js';
import { conv2d } from './conv.js';
import { pad, reshape, squeeze, unsqueeze } from './layout.js';
import { op, recordGrad, type OpSpec } from './op.js';

/** An int or one int per spatial dim. */
export type Size1 = number | readonly [number];
export type Size2 = number | readonly [number, number];

function tuple<N extends 1 | 2>(v: number | readonly number[], n: N, name: string, op: string): number[] {
  const t = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (t.length !== n || !t.every((d) => Number.isInteger(d)))
    throw new Error(`${op}: ${name} must be an integer or ${n} integers, got ${formatShape(t)}`);
  return t;
}

export interface Conv1dOptions {
  stride?: Size1;
  padding?: Size1 | 'valid' | 'same';
  dilation?: Size1;
  groups?: number;
}

/** F.conv1d: x [N, C, L] (or unbatched [C, L]), weight [O, C/groups, K], bias [O]. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new Error(
      `conv1d: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: ${formatShape(x.shape)}`,
    );
  }
  if (weight.ndim !== 3)
    throw new Error(`conv1d: weight must be 3-D [out, in/groups, kW], got ${formatShape(weight.shape)}`);
  const p = options.padding ?? 0;
  return op('conv1d', () => {
    const out = conv2d(unsqueeze(x, -2), unsqueeze(weight, -2), bias, {
      stride: [1, tuple(options.stride ?? 1, 1, 'stride', 'conv1d')[0]!],
      padding: typeof p === 'string' ? p : [0, tuple(p, 1, 'padding', 'conv1d')[0]!],
      dilation: [1, tuple(options.dilation ?? 1, 1, 'dilation', 'conv1d')[0]!],
      groups: options.groups ?? 1,
    });
    return squeeze(out, -2);
  });
}

export interface ConvTranspose2dOptions {
  stride?: Size2;
  padding?: Size2;
  outputPadding?: Size2;
  groups?: number;
  dilation?: Size2;
}

export interface ConvTranspose1dOptions {
  stride?: Size1;
  padding?: Size1;
  outputPadding?: Size1;
  groups?: number;
  dilation?: Size1;
}

/**
 * F.conv_transpose2d: x [N, Cin, H, W] (or unbatched [Cin, H, W]), weight [Cin, Cout/groups, kH, kW],
 * bias [Cout]. Output size (H - 1) stride - 2 padding + dilation (kH - 1) + outputPadding + 1.
 */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options: ConvTranspose2dOptions = {},
): Tensor {
  const opName = 'conv_transpose2d';
  const b = bias ?? null;
  commonBackend(opName, b === null ? [x, weight] : [x, weight, b]);
  requireFloat(opName, x);
  const unbatched = x.ndim === 3;
  if (x.ndim !== 4 && !unbatched) {
    throw new Error(
      `${opName}: Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: ${formatShape(x.shape)}`,
    );
  }
  if (weight.ndim !== 4)
    throw new Error(`${opName}: weight must be 4-D [in, out/groups, kH, kW], got ${formatShape(weight.shape)}`);
  const groups = options.groups ?? 1;
  const C = x.shape[unbatched ? 0 : 1]!;
  const [Cw, Og, kH, kW] = weight.shape as [number, number, number, number];
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0)
    throw new Error(`${opName}: groups=${groups} must be a positive integer dividing in_channels (${C})`);
  if (Cw !== C) {
    throw new Error(
      `${opName}: Given transposed=1, weight of size ${formatShape(weight.shape)}, expected input${formatShape(x.shape)} to have ${Cw} channels, but got ${C} channels instead`,
    );
  }
  const stride = tuple(options.stride ?? 1, 2, 'stride', opName);
  const padding = tuple(options.padding ?? 0, 2, 'padding', opName);
  const outputPadding = tuple(options.outputPadding ?? 0, 2, 'output_padding', opName);
  const dilation = tuple(options.dilation ?? 1, 2, 'dilation', opName);
  if (stride.some((s) => s < 1) || dilation.some((d) => d < 1) || padding.some((p) => p < 0))
    throw new Error(`${opName}: stride and dilation must be positive and padding non-negative`);
  for (let i = 0; i < 2; i++) {
    if (outputPadding[i]! < 0 || (outputPadding[i]! >= stride[i]! && outputPadding[i]! >= dilation[i]!)) {
      throw new Error(
        `${opName}: output padding must be smaller than either stride or dilation, but got output_padding=(${outputPadding.join(', ')}), stride=(${stride.join(', ')}), dilation=(${dilation.join(', ')})`,
      );
    }
  }
  const O = Og * groups;
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== O))
    throw new Error(`${opName}: bias must have shape [${O}], got ${formatShape(b.shape)}`);
  const [H, W] = x.shape.slice(-2) as [number, number];
  const Ho = (H - 1) * stride[0]! - 2 * padding[0]! + dilation[0]! * (kH - 1) + outputPadding[0]! + 1;
  const Wo = (W - 1) * stride[1]! - 2 * padding[1]! + dilation[1]! * (kW - 1) + outputPadding[1]! + 1;
  if (Ho <= 0 || Wo <= 0) {
    throw new Error(
      `${opName}: Given input size per channel: (${H} x ${W}). Calculated output size per channel: (${Ho} x ${Wo}). Output size is too small`,
    );
  }
  return op('convTranspose2d', () => {
    const input = unbatched ? unsqueeze(x, 0) : x;
    const N = input.shape[0]!;
    let out: Tensor;
    if (outputPadding[0]! < stride[0]! && outputPadding[1]! < stride[1]!) {
      const params: Conv2dParams = {
        stride: [stride[0]!, stride[1]!],
        padding: [padding[0]!, padding[1]!],
        dilation: [dilation[0]!, dilation[1]!],
        groups,
      };
      out = transposedRaw(input, weight, params, [N, O, Ho, Wo]);
    } else {
      // output_padding >= stride (allowed when below the dilation): the kernel's shapes must be
      // those of a convolution, so compute the unpadded full result, then crop `padding` from the
      // start and pad to the requested size at the end.
      const params: Conv2dParams = {
        stride: [stride[0]!, stride[1]!],
        padding: [0, 0],
        dilation: [dilation[0]!, dilation[1]!],
        groups,
      };
      const Hf = (H - 1) * stride[0]! + dilation[0]! * (kH - 1) + 1;
      const Wf = (W - 1) * stride[1]! + dilation[1]! * (kW - 1) + 1;
      const full = transposedRaw(input, weight, params, [N, O, Hf, Wf]);
      out = pad(full, [-padding[1]!, Wo + padding[1]! - Wf, -padding[0]!, Ho + padding[0]! - Hf]);
    }
    if (b !== null) out = out.add(reshape(b, [1, O, 1, 1]));
    return unbatched ? squeeze(out, 0) : out;
  });
}

/** F.conv_transpose1d: x [N, Cin, L] (or unbatched [Cin, L]), weight [Cin, Cout/groups, K], bias [Cout]. */
export function convTranspose1d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options: ConvTranspose1dOptions = {},
): Tensor {
  const opName = 'conv_transpose1d';
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new Error(
      `${opName}: Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: ${formatShape(x.shape)}`,
    );
  }
  if (weight.ndim !== 3)
    throw new Error(`${opName}: weight must be 3-D [in, out/groups, kW], got ${formatShape(weight.shape)}`);
  const one = (v: Size1, name: string): number => tuple(v, 1, name, opName)[0]!;
  return op('convTranspose1d', () =>
    squeeze(
      convTranspose2d(unsqueeze(x, -2), unsqueeze(weight, -2), bias, {
        stride: [1, one(options.stride ?? 1, 'stride')],
        padding: [0, one(options.padding ?? 0, 'padding')],
        outputPadding: [0, one(options.outputPadding ?? 0, 'output_padding')],
        dilation: [1, one(options.dilation ?? 1, 'dilation')],
        groups: options.groups ?? 1,
      }),
      -2,
    ),
  );
}

const CONV_TRANSPOSE: OpSpec = { name: 'convTranspose2d' };
const CONV_TRANSPOSE_WEIGHT_GRAD: OpSpec = { name: 'convTranspose2dBackwardWeight' };

/**
 * The transposed convolution (no bias), recorded: out = conv2dBackwardInput(x, w) for the
 * convolution that maps `outShape` to x's shape. Gradients: x <- conv2d(g, w), w <- the weight
 * gradient of that convolution with g as its input and x as its output gradient.
 */
function transposedRaw(x: Tensor, w: Tensor, params: Conv2dParams, outShape: readonly number[]): Tensor {
  return op(CONV_TRANSPOSE, [x, w], (backend) => {
    const out = output(backend, backend.kernels.conv2dBackwardInput(x.ref, w.ref, outShape, params), outShape, x.dtype);
    const wShape = w.shape;
    const [needX, needW] = [x.requiresGrad, w.requiresGrad];
    // dx reads w, dw reads x: save only what the wanted gradients need.
    const save = [...(needW ? [x] : []), ...(needX ? [w] : [])];
    return recordGrad(out, [x, w], save, (g, saved) => {
      const sx = needW ? saved[0]! : null;
      const sw = needX ? saved[needW ? 1 : 0]! : null;
      return [
        sw === null ? null : conv2d(g, sw, null, params),
        sx === null ? null : transposedWeightGrad(g, sx, wShape, params),
      ];
    });
  });
}

/**
 * conv2dBackwardWeight(g, x): the weight gradient of the convolution `g -> x`, recorded. It is
 * bilinear; against a weight cotangent gw its gradients are transposedRaw(x, gw) for g and
 * conv2d(g, gw) for x.
 */
function transposedWeightGrad(g: Tensor, x: Tensor, wShape: readonly number[], params: Conv2dParams): Tensor {
  return op(CONV_TRANSPOSE_WEIGHT_GRAD, [g, x], (backend) => {
    const out = output(backend, backend.kernels.conv2dBackwardWeight(g.ref, x.ref, wShape, params), wShape, g.dtype);
    const gShape = g.shape;
    const [needG, needX] = [g.requiresGrad, x.requiresGrad];
    const save = [...(needG ? [x] : []), ...(needX ? [g] : [])];
    return recordGrad(out, [g, x], save, (gw, saved) => {
      const sx = needG ? saved[0]! : null;
      const sg = needX ? saved[needG ? 1 : 0]! : null;
      return [
        sx === null ? null : transposedRaw(sx, gw, params, gShape),
        sg === null ? null : conv2d(sg, gw, null, params),
      ];
    });
  });
}
