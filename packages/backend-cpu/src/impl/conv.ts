/**
 * Pure conv2d (NCHW, grouped, strided, padded, dilated) and its two backward kernels, as
 * im2col / col2im around the blocked GEMM. A 1x1, stride-1, unpadded convolution skips im2col: the
 * input plane already is the column matrix.
 */
import type { Conv2dParams, Shape } from '@flint/core/backend';
import { gemm } from './gemm.js';

interface ConvGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  kH: number;
  kW: number;
  Ho: number;
  Wo: number;
  sH: number;
  sW: number;
  pH: number;
  pW: number;
  dH: number;
  dW: number;
  groups: number;
  Cg: number;
  Og: number;
}

function convGeometry(xShape: Shape, wShape: Shape, outHW: readonly [number, number], p: Conv2dParams): ConvGeometry {
  const groups = p.groups;
  const C = xShape[1]!;
  const O = wShape[0]!;
  return {
    N: xShape[0]!,
    C,
    H: xShape[2]!,
    W: xShape[3]!,
    O,
    kH: wShape[2]!,
    kW: wShape[3]!,
    Ho: outHW[0],
    Wo: outHW[1],
    sH: p.stride[0],
    sW: p.stride[1],
    pH: p.padding[0],
    pW: p.padding[1],
    dH: p.dilation[0],
    dW: p.dilation[1],
    groups,
    Cg: C / groups,
    Og: O / groups,
  };
}

function isPointwise(g: ConvGeometry): boolean {
  return (
    g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.pH === 0 && g.pW === 0 && g.Ho === g.H && g.Wo === g.W
  );
}

let colScratch = new Float32Array(0);
function scratch(n: number): Float32Array {
  if (colScratch.length < n) colScratch = new Float32Array(n);
  return colScratch;
}

/** col[(c*kH + ki)*kW + kj, oh*Wo + ow] = x[xOff + c*H*W + ih*W + iw] (0 in the padding), for c < Cg. */
export function im2col(x: Float32Array, xOff: number, g: ConvGeometry, col: Float32Array): void {
  const { H, W, kH, kW, Ho, Wo, sH, sW, pH, pW, dH, dW, Cg } = g;
  const HoWo = Ho * Wo;
  let r = 0;
  for (let c = 0; c < Cg; c++) {
    const plane = xOff + c * H * W;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++, r++) {
        const rowBase = r * HoWo;
        const wShift = kj * dW - pW;
        for (let oh = 0; oh < Ho; oh++) {
          const ih = oh * sH - pH + ki * dH;
          const dst = rowBase + oh * Wo;
          if (ih < 0 || ih >= H) {
            col.fill(0, dst, dst + Wo);
            continue;
          }
          const src = plane + ih * W;
          for (let ow = 0, iw = wShift; ow < Wo; ow++, iw += sW) col[dst + ow] = iw >= 0 && iw < W ? x[src + iw]! : 0;
        }
      }
    }
  }
}

/** The adjoint of im2col: dx[dxOff + c*H*W + ih*W + iw] += col[...] (padding positions dropped). */
function col2im(col: Float32Array, g: ConvGeometry, dx: Float32Array, dxOff: number): void {
  const { H, W, kH, kW, Ho, Wo, sH, sW, pH, pW, dH, dW, Cg } = g;
  const HoWo = Ho * Wo;
  let r = 0;
  for (let c = 0; c < Cg; c++) {
    const plane = dxOff + c * H * W;
    for (let ki = 0; ki < kH; ki++) {
      for (let kj = 0; kj < kW; kj++, r++) {
        const rowBase = r * HoWo;
        const wShift = kj * dW - pW;
        for (let oh = 0; oh < Ho; oh++) {
          const ih = oh * sH - pH + ki * dH;
          if (ih < 0 || ih >= H) continue;
          const src = rowBase + oh * Wo;
          const dst = plane + ih * W;
          for (let ow = 0, iw = wShift; ow < Wo; ow++, iw += sW) if (iw >= 0 && iw < W) dx[dst + iw]! += col[src + ow]!;
        }
      }
    }
  }
}

/** x [N,C,H,W], w [O,C/groups,kH,kW] -> [N,O,Ho,Wo]. */
export function conv2d(
  x: Float32Array,
  xShape: Shape,
  w: Float32Array,
  wShape: Shape,
  params: Conv2dParams,
  outShape: Shape,
): Float32Array {
  const g = convGeometry(xShape, wShape, [outShape[2]!, outShape[3]!], params);
  const { N, C, H, W, O, Ho, Wo, Cg, Og, kH, kW, groups } = g;
  const HoWo = Ho * Wo;
  const CgKK = Cg * kH * kW;
  const out = new Float32Array(N * O * HoWo);
  if (out.length === 0) return out;
  const pointwise = isPointwise(g);
  const col = pointwise ? null : scratch(CgKK * HoWo);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (n * C + gi * Cg) * H * W;
      if (col !== null) im2col(x, xOff, g, col);
      gemm(
        Og,
        HoWo,
        CgKK,
        { data: w, offset: gi * Og * CgKK, rs: CgKK, cs: 1 },
        col !== null ? { data: col, offset: 0, rs: HoWo, cs: 1 } : { data: x, offset: xOff, rs: HoWo, cs: 1 },
        out,
        (n * O + gi * Og) * HoWo,
        HoWo,
        false,
      );
    }
  }
  return out;
}

/** dy [N,O,Ho,Wo], w -> dx [N,C,H,W] = xShape. */
export function conv2dBackwardInput(
  dy: Float32Array,
  dyShape: Shape,
  w: Float32Array,
  wShape: Shape,
  xShape: Shape,
  params: Conv2dParams,
): Float32Array {
  const g = convGeometry(xShape, wShape, [dyShape[2]!, dyShape[3]!], params);
  const { N, C, H, W, O, Ho, Wo, Cg, Og, kH, kW, groups } = g;
  const HoWo = Ho * Wo;
  const CgKK = Cg * kH * kW;
  const dx = new Float32Array(N * C * H * W);
  if (dx.length === 0 || HoWo === 0) return dx;
  const pointwise = isPointwise(g);
  const col = pointwise ? null : scratch(CgKK * HoWo);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const dxOff = (n * C + gi * Cg) * H * W;
      const a = { data: w, offset: gi * Og * CgKK, rs: 1, cs: CgKK };
      const b = { data: dy, offset: (n * O + gi * Og) * HoWo, rs: HoWo, cs: 1 };
      if (col === null) {
        gemm(CgKK, HoWo, Og, a, b, dx, dxOff, HoWo, false);
      } else {
        gemm(CgKK, HoWo, Og, a, b, col, 0, HoWo, false);
        col2im(col, g, dx, dxOff);
      }
    }
  }
  return dx;
}

/** x [N,C,H,W], dy [N,O,Ho,Wo] -> dw [O,C/groups,kH,kW] = wShape. */
export function conv2dBackwardWeight(
  x: Float32Array,
  xShape: Shape,
  dy: Float32Array,
  dyShape: Shape,
  wShape: Shape,
  params: Conv2dParams,
): Float32Array {
  const g = convGeometry(xShape, wShape, [dyShape[2]!, dyShape[3]!], params);
  const { N, C, H, W, O, Ho, Wo, Cg, Og, kH, kW, groups } = g;
  const HoWo = Ho * Wo;
  const CgKK = Cg * kH * kW;
  const dw = new Float32Array(O * CgKK);
  if (dw.length === 0 || HoWo === 0) return dw;
  const pointwise = isPointwise(g);
  const col = pointwise ? null : scratch(CgKK * HoWo);
  // One GEMM per image and group sums over its Ho*Wo positions into `part`; the sum over the batch
  // runs in float64 (`acc`), so a large batch adds no float32 rounding per image.
  const acc = new Float64Array(O * CgKK);
  const part = new Float32Array(Og * CgKK);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (n * C + gi * Cg) * H * W;
      if (col !== null) im2col(x, xOff, g, col);
      gemm(
        Og,
        CgKK,
        HoWo,
        { data: dy, offset: (n * O + gi * Og) * HoWo, rs: HoWo, cs: 1 },
        col !== null ? { data: col, offset: 0, rs: 1, cs: HoWo } : { data: x, offset: xOff, rs: 1, cs: HoWo },
        part,
        0,
        CgKK,
        false,
      );
      const base = gi * Og * CgKK;
      for (let i = 0; i < part.length; i++) acc[base + i]! += part[i]!;
    }
  }
  dw.set(acc);
  return dw;
}
