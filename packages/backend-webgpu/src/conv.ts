/**
 * Convolutions as implicit GEMMs on the tiled GEMM (gemm.ts): the loaders compute the im2col
 * element from the image on the fly, so no column matrix is materialised. Per group g and image n
 * (GEMM batch z = n·G + g, or z = g for the weight gradient):
 * - conv2d:               y[n, g·Og + m, l]        = Σ_k w[g·Og + m, k] · im2col(x)[k, l]      (M = Og, N = Ho·Wo, K = Cg·kh·kw)
 * - conv2dBackwardInput:  dx[n, g·Cg + c, h·W + w] = Σ_(o,ki,kj) w[g·Og + o, c, ki, kj] · dy[n, g·Og + o, (h+p-ki·d)/s, ...]
 *                         where the division is exact and in range (M = Cg, N = H·W, K = Og·kh·kw)
 * - conv2dBackwardWeight: dw[g·Og + m, col]        = Σ_(n,l) dy[n, g·Og + m, l] · im2col(x_n)[col, l]  (M = Og, N = Cg·kh·kw, K = Nb·Ho·Wo)
 * Each output layout is exactly [z, M, N] row-major, which is what the GEMM writes.
 */
import type { Conv2dParams } from '@flint/core/backend';
import { LOADER_PARAMS } from './gemm.js';

export interface ConvDims {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly kh: number;
  readonly kw: number;
  readonly ho: number;
  readonly wo: number;
}

/** Loader parameter words (from LOADER_PARAMS): the geometry every conv loader reads. */
export function convParams(d: ConvDims, p: Conv2dParams): number[] {
  const g = p.groups;
  return [
    d.c,
    d.h,
    d.w,
    d.ho,
    d.wo,
    d.kh,
    d.kw,
    p.stride[0],
    p.stride[1],
    p.padding[0],
    p.padding[1],
    p.dilation[0],
    p.dilation[1],
    g,
    d.c / g,
    d.o / g,
  ];
}

const P = LOADER_PARAMS;
/** WGSL lets for the geometry (i32 where coordinates can go negative). */
const GEOMETRY = `let C = pu(${P}u); let H = i32(pu(${P + 1}u)); let W = i32(pu(${P + 2}u));
  let Ho = pu(${P + 3}u); let Wo = pu(${P + 4}u); let kh = pu(${P + 5}u); let kw = pu(${P + 6}u);
  let sh = i32(pu(${P + 7}u)); let sw = i32(pu(${P + 8}u)); let ph = i32(pu(${P + 9}u)); let pw = i32(pu(${P + 10}u));
  let dh = i32(pu(${P + 11}u)); let dw = i32(pu(${P + 12}u));
  let G = pu(${P + 13}u); let Cg = pu(${P + 14}u); let Og = pu(${P + 15}u);`;

/** conv2d: a = weight [O, Cg·kh·kw], b = x. */
export const CONV_FORWARD = `var<private> wBase: u32;
var<private> xBase: u32;
fn setup(z: u32) {
  ${GEOMETRY}
  let g = z % G; let img = z / G;
  wBase = g * Og * pu(2u);
  xBase = (img * C + g * Cg) * u32(H * W);
}
fn loadA(m: u32, k: u32) -> f32 { return a[wBase + m * pu(2u) + k]; }
fn loadB(k: u32, l: u32) -> f32 {
  ${GEOMETRY}
  let kk = kh * kw; let c = k / kk; let r = k % kk; let ki = r / kw; let kj = r % kw;
  let ih = i32(l / Wo) * sh - ph + i32(ki) * dh;
  let iw = i32(l % Wo) * sw - pw + i32(kj) * dw;
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) { return 0.0; }
  return b[xBase + (c * u32(H) + u32(ih)) * u32(W) + u32(iw)];
}
`;

/** conv2dBackwardInput: a = weight, b = dy. */
export const CONV_BACKWARD_INPUT = `var<private> wBase: u32;
var<private> yBase: u32;
fn setup(z: u32) {
  ${GEOMETRY}
  let g = z % G; let img = z / G;
  wBase = g * Og * Cg * kh * kw;
  yBase = (img * G * Og + g * Og) * Ho * Wo;
}
fn loadA(m: u32, k: u32) -> f32 {
  ${GEOMETRY}
  let kk = kh * kw;
  return a[wBase + ((k / kk) * Cg + m) * kk + k % kk];
}
fn loadB(k: u32, col: u32) -> f32 {
  ${GEOMETRY}
  let kk = kh * kw; let o = k / kk; let r = k % kk; let ki = i32(r / kw); let kj = i32(r % kw);
  let th = i32(col / u32(W)) + ph - ki * dh;
  let tw = i32(col % u32(W)) + pw - kj * dw;
  if (th < 0 || tw < 0 || th % sh != 0 || tw % sw != 0) { return 0.0; }
  let oh = u32(th / sh); let ow = u32(tw / sw);
  if (oh >= Ho || ow >= Wo) { return 0.0; }
  return b[yBase + (o * Ho + oh) * Wo + ow];
}
`;

/** conv2dBackwardWeight: a = dy, b = x; K runs over (image, output position). */
export const CONV_BACKWARD_WEIGHT = `var<private> grp: u32;
fn setup(z: u32) { grp = z; }
fn loadA(m: u32, k: u32) -> f32 {
  ${GEOMETRY}
  let L = Ho * Wo; let img = k / L;
  return a[((img * G + grp) * Og + m) * L + k % L];
}
fn loadB(k: u32, col: u32) -> f32 {
  ${GEOMETRY}
  let L = Ho * Wo; let img = k / L; let l = k % L;
  let kk = kh * kw; let c = col / kk; let r = col % kk; let ki = r / kw; let kj = r % kw;
  let ih = i32(l / Wo) * sh - ph + i32(ki) * dh;
  let iw = i32(l % Wo) * sw - pw + i32(kj) * dw;
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) { return 0.0; }
  return b[((img * C + grp * Cg + c) * u32(H) + u32(ih)) * u32(W) + u32(iw)];
}
`;
