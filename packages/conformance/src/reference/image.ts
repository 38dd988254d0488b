/**
 * NCHW image references: conv2d and its two gradients (written as the same loop nest, so the
 * backward references are the exact adjoints of the forward), max/avg pooling and their gradients,
 * following PyTorch's window and divisor rules.
 */
import type { Conv2dParams, Pool2dParams, Shape } from '@flint/core/backend';
import { host, sizeOfShape, type HostTensor } from './tensor.js';

/** PyTorch's output size for a conv/pool window (ceil_mode aware). */
export function outSize(input: number, k: number, stride: number, pad: number, dil: number, ceil = false): number {
  const span = input + 2 * pad - dil * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= input + pad) out -= 1;
  return out;
}

export function convOutShape(xShape: Shape, wShape: Shape, p: Conv2dParams): number[] {
  return [
    xShape[0]!,
    wShape[0]!,
    outSize(xShape[2]!, wShape[2]!, p.stride[0], p.padding[0], p.dilation[0]),
    outSize(xShape[3]!, wShape[3]!, p.stride[1], p.padding[1], p.dilation[1]),
  ];
}

/** Visits every (x element, w element, y element) triple of a conv2d. */
function convLoop(
  xShape: Shape,
  wShape: Shape,
  p: Conv2dParams,
  visit: (xi: number, wi: number, yi: number) => void,
): number[] {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const [O, Cg, KH, KW] = wShape as [number, number, number, number];
  const yShape = convOutShape(xShape, wShape, p);
  const [, , HO, WO] = yShape as [number, number, number, number];
  const Og = O / p.groups;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      for (let oh = 0; oh < HO; oh++)
        for (let ow = 0; ow < WO; ow++) {
          const yi = ((n * O + o) * HO + oh) * WO + ow;
          for (let c = 0; c < Cg; c++)
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * p.stride[0] - p.padding[0] + kh * p.dilation[0];
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * p.stride[1] - p.padding[1] + kw * p.dilation[1];
                if (iw < 0 || iw >= W) continue;
                const xi = ((n * C + g * Cg + c) * H + ih) * W + iw;
                const wi = ((o * Cg + c) * KH + kh) * KW + kw;
                visit(xi, wi, yi);
              }
            }
        }
    }
  return yShape;
}

export function conv2dRef(x: HostTensor, w: HostTensor, p: Conv2dParams): HostTensor {
  const yShape = convOutShape(x.shape, w.shape, p);
  const y = new Float64Array(sizeOfShape(yShape));
  const sc = new Float64Array(y.length);
  convLoop(x.shape, w.shape, p, (xi, wi, yi) => {
    const t = x.data[xi]! * w.data[wi]!;
    y[yi]! += t;
    sc[yi]! += Math.abs(t);
  });
  return host(yShape, 'float32', y, sc);
}

export function conv2dBackwardInputRef(dy: HostTensor, w: HostTensor, xShape: Shape, p: Conv2dParams): HostTensor {
  const dx = new Float64Array(sizeOfShape(xShape));
  const sc = new Float64Array(dx.length);
  convLoop(xShape, w.shape, p, (xi, wi, yi) => {
    const t = dy.data[yi]! * w.data[wi]!;
    dx[xi]! += t;
    sc[xi]! += Math.abs(t);
  });
  return host(xShape, 'float32', dx, sc);
}

export function conv2dBackwardWeightRef(x: HostTensor, dy: HostTensor, wShape: Shape, p: Conv2dParams): HostTensor {
  const dw = new Float64Array(sizeOfShape(wShape));
  const sc = new Float64Array(dw.length);
  convLoop(x.shape, wShape, p, (xi, wi, yi) => {
    const t = x.data[xi]! * dy.data[yi]!;
    dw[wi]! += t;
    sc[wi]! += Math.abs(t);
  });
  return host(wShape, 'float32', dw, sc);
}

export function poolOutShape(xShape: Shape, p: Pool2dParams): number[] {
  return [
    xShape[0]!,
    xShape[1]!,
    outSize(xShape[2]!, p.kernelSize[0], p.stride[0], p.padding[0], p.dilation[0], p.ceilMode),
    outSize(xShape[3]!, p.kernelSize[1], p.stride[1], p.padding[1], p.dilation[1], p.ceilMode),
  ];
}

/** Max pooling: values and flat in-plane indices ih*W+iw of the first maximum in scan order (NaN wins). */
export function maxPool2dRef(x: HostTensor, p: Pool2dParams): [HostTensor, HostTensor] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const yShape = poolOutShape(x.shape, p);
  const [, , HO, WO] = yShape as [number, number, number, number];
  const vals = new Float64Array(sizeOfShape(yShape));
  const idxs = new Float64Array(vals.length);
  for (let nc = 0; nc < N * C; nc++)
    for (let oh = 0; oh < HO; oh++)
      for (let ow = 0; ow < WO; ow++) {
        let best = -Infinity;
        let bestI = -1;
        for (let kh = 0; kh < p.kernelSize[0]; kh++) {
          const ih = oh * p.stride[0] - p.padding[0] + kh * p.dilation[0];
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < p.kernelSize[1]; kw++) {
            const iw = ow * p.stride[1] - p.padding[1] + kw * p.dilation[1];
            if (iw < 0 || iw >= W) continue;
            const v = x.data[nc * H * W + ih * W + iw]!;
            if (bestI < 0 || v > best || Number.isNaN(v)) {
              best = v;
              bestI = ih * W + iw;
            }
          }
        }
        const o = (nc * HO + oh) * WO + ow;
        vals[o] = best;
        idxs[o] = bestI;
      }
  return [host(yShape, 'float32', vals), host(yShape, 'int32', idxs)];
}

export function maxPool2dBackwardRef(dy: HostTensor, indices: HostTensor, xShape: Shape): HostTensor {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const plane = sizeOfShape(dy.shape.slice(2));
  const dx = new Float64Array(N * C * H * W);
  const sc = new Float64Array(dx.length);
  for (let nc = 0; nc < N * C; nc++)
    for (let j = 0; j < plane; j++) {
      const i = nc * H * W + indices.data[nc * plane + j]!;
      dx[i]! += dy.data[nc * plane + j]!;
      sc[i]! += Math.abs(dy.data[nc * plane + j]!);
    }
  return host(xShape, 'float32', dx, sc);
}

/** Visits every (input element, output element, divisor) of an avg pool, PyTorch's divisor rule. */
function avgLoop(xShape: Shape, p: Pool2dParams, visit: (xi: number, yi: number, div: number) => void): number[] {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const yShape = poolOutShape(xShape, p);
  const [, , HO, WO] = yShape as [number, number, number, number];
  for (let nc = 0; nc < N * C; nc++)
    for (let oh = 0; oh < HO; oh++)
      for (let ow = 0; ow < WO; ow++) {
        let h0 = oh * p.stride[0] - p.padding[0];
        let w0 = ow * p.stride[1] - p.padding[1];
        let h1 = Math.min(h0 + p.kernelSize[0], H + p.padding[0]);
        let w1 = Math.min(w0 + p.kernelSize[1], W + p.padding[1]);
        const poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, H);
        w1 = Math.min(w1, W);
        const div = p.divisorOverride ?? (p.countIncludePad ? poolSize : (h1 - h0) * (w1 - w0));
        const yi = (nc * HO + oh) * WO + ow;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) visit(nc * H * W + ih * W + iw, yi, div);
      }
  return yShape;
}

export function avgPool2dRef(x: HostTensor, p: Pool2dParams): HostTensor {
  const yShape = poolOutShape(x.shape, p);
  const y = new Float64Array(sizeOfShape(yShape));
  const sc = new Float64Array(y.length);
  avgLoop(x.shape, p, (xi, yi, div) => {
    y[yi]! += x.data[xi]! / div;
    sc[yi]! += Math.abs(x.data[xi]! / div);
  });
  return host(yShape, 'float32', y, sc);
}

export function avgPool2dBackwardRef(dy: HostTensor, xShape: Shape, p: Pool2dParams): HostTensor {
  const dx = new Float64Array(sizeOfShape(xShape));
  const sc = new Float64Array(dx.length);
  avgLoop(xShape, p, (xi, yi, div) => {
    dx[xi]! += dy.data[yi]! / div;
    sc[xi]! += Math.abs(dy.data[yi]! / div);
  });
  return host(xShape, 'float32', dx, sc);
}
