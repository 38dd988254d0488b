/**
 * F.unfold (im2col) and F.fold (col2im), composed from existing kernels. unfold pads once, then
 * takes one strided slice per kernel offset and stacks them; fold is its adjoint: each offset's
 * block is spread to its strided positions (a zero-interleaving pad and reshape), shifted into
 * place by a pad, and the blocks are summed. Both move values without arithmetic on them, so a
 * NaN or an infinity stays where it is (a one-hot convolution would multiply it by 0 elsewhere).
 */
import { formatShape } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { pad, reshape, slice, squeeze, stack, unsqueeze } from './layout.js';
import { sum } from './reduce.js';
import { requireFloat } from './util.js';
import { op } from './op.js';

export type Size2 = number | readonly [number, number];

export interface UnfoldOptions {
  dilation?: Size2;
  padding?: Size2;
  stride?: Size2;
}

function pairOf(v: Size2, name: string, op: string, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((n) => Number.isInteger(n) && n >= min)) {
    throw new Error(
      `${op}: ${name} must be ${min > 0 ? 'positive' : 'non-negative'} integers (one or two), got ${String(v)}`,
    );
  }
  return p;
}

interface Geometry {
  kernel: [number, number];
  dilation: [number, number];
  padding: [number, number];
  stride: [number, number];
}

function geometry(op: string, kernelSize: Size2, options: UnfoldOptions): Geometry {
  return {
    kernel: pairOf(kernelSize, 'kernel_size', op, 1),
    dilation: pairOf(options.dilation ?? 1, 'dilation', op, 1),
    padding: pairOf(options.padding ?? 0, 'padding', op, 0),
    stride: pairOf(options.stride ?? 1, 'stride', op, 1),
  };
}

/** Sliding blocks along one dim of size n (PyTorch's formula). */
function blocks(n: number, g: Geometry, i: 0 | 1): number {
  return Math.floor((n + 2 * g.padding[i] - g.dilation[i] * (g.kernel[i] - 1) - 1) / g.stride[i]) + 1;
}

function describe(g: Geometry): string {
  const t = (p: [number, number]) => `(${p[0]}, ${p[1]})`;
  return `kernel_size=${t(g.kernel)}, dilation=${t(g.dilation)}, padding=${t(g.padding)}, stride=${t(g.stride)}`;
}

/**
 * F.unfold: [N, C, H, W] (or unbatched [C, H, W]) -> [N, C kH kW, L], L the number of blocks;
 * rows run over (channel, kernel row, kernel column), as PyTorch's.
 */
export function unfold(x: Tensor, kernelSize: Size2, options: UnfoldOptions = {}): Tensor {
  const opName = 'unfold';
  requireFloat(opName, x);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(
      `${opName}: Input Error: Only 3D or 4D input Tensors are supported (got ${x.ndim}D, shape ${formatShape(x.shape)})`,
    );
  }
  const g = geometry(opName, kernelSize, options);
  const [h, w] = x.shape.slice(-2) as [number, number];
  const bh = blocks(h, g, 0);
  const bw = blocks(w, g, 1);
  if (bh <= 0 || bw <= 0) {
    throw new Error(
      `${opName}: Given input with spatial size (${h}, ${w}), ${describe(g)}, calculated shape of the array of sliding blocks as (${bh}, ${bw}), but its components must be at least one.`,
    );
  }
  return op('unfold', () => {
    const input = x.ndim === 3 ? unsqueeze(x, 0) : x;
    const [N, C] = input.shape as [number, number];
    const padded = pad(input, [g.padding[1], g.padding[1], g.padding[0], g.padding[0]]);
    const pieces: Tensor[] = [];
    for (let i = 0; i < g.kernel[0]; i++) {
      const top = i * g.dilation[0];
      const rows = slice(padded, 2, top, top + (bh - 1) * g.stride[0] + 1, g.stride[0]);
      for (let j = 0; j < g.kernel[1]; j++) {
        const left = j * g.dilation[1];
        pieces.push(slice(rows, 3, left, left + (bw - 1) * g.stride[1] + 1, g.stride[1]));
      }
    }
    const k = g.kernel[0] * g.kernel[1];
    const out = reshape(stack(pieces, 2), [N, C * k, bh * bw]);
    return x.ndim === 3 ? squeeze(out, 0) : out;
  });
}

/**
 * F.fold: [N, C kH kW, L] (or unbatched [C kH kW, L]) -> [N, C, outH, outW], summing overlapping
 * blocks (the adjoint of unfold).
 */
export function fold(x: Tensor, outputSize: Size2, kernelSize: Size2, options: UnfoldOptions = {}): Tensor {
  const opName = 'fold';
  requireFloat(opName, x);
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new Error(
      `${opName}: Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got ${x.ndim}D, shape ${formatShape(x.shape)})`,
    );
  }
  const g = geometry(opName, kernelSize, options);
  const [oh, ow] = pairOf(outputSize, 'output_size', opName, 1);
  const [rows, cols] = x.shape.slice(-2) as [number, number];
  const k = g.kernel[0] * g.kernel[1];
  if (rows % k !== 0) {
    throw new Error(
      `${opName}: Expected size of input's dimension ${x.ndim - 2} to be divisible by the product of kernel_size, but got input.size(${x.ndim - 2})=${rows} and kernel_size=(${g.kernel[0]}, ${g.kernel[1]})`,
    );
  }
  const bh = blocks(oh, g, 0);
  const bw = blocks(ow, g, 1);
  if (bh <= 0 || bw <= 0 || bh * bw !== cols) {
    throw new Error(
      `${opName}: Given output_size=(${oh}, ${ow}), ${describe(g)}, expected size of input's dimension ${x.ndim - 1} to match the calculated number of sliding blocks ${bh} * ${bw} = ${bh * bw}, but got input.size(${x.ndim - 1})=${cols}`,
    );
  }
  return op('fold', () => {
    const input = x.ndim === 2 ? unsqueeze(x, 0) : x;
    const N = input.shape[0]!;
    const C = rows / k;
    const [sh, sw] = g.stride;
    const hp = oh + 2 * g.padding[0];
    const wp = ow + 2 * g.padding[1];
    // Interleave stride - 1 zeros after each block position: [N, C, k, bh sh, bw sw]. N, C and k
    // share one dim while padding: tfjs's wasm backend returned wrong values for the 7-D form.
    const grid = reshape(input, [N * C * k, bh, 1, bw, 1]);
    const spread = reshape(pad(grid, [0, sw - 1, 0, 0, 0, sh - 1]), [N, C, k, bh * sh, bw * sw]);
    const placed: Tensor[] = [];
    for (let i = 0; i < g.kernel[0]; i++) {
      for (let j = 0; j < g.kernel[1]; j++) {
        const block = squeeze(slice(spread, 2, i * g.kernel[1] + j, i * g.kernel[1] + j + 1), 2);
        const top = i * g.dilation[0];
        const left = j * g.dilation[1];
        // Shift to (top, left) in the padded output; negative pads crop the trailing zeros.
        placed.push(pad(block, [left, wp - left - bw * sw, top, hp - top - bh * sh]));
      }
    }
    const total = sum(stack(placed, 0), 0);
    const out = pad(total, [-g.padding[1], -g.padding[1], -g.padding[0], -g.padding[0]]);
    return x.ndim === 2 ? squeeze(out, 0) : out;
  });
}
