/**
 * Convolutions as implicit GEMMs on the tiled GEMM (gemm.ts): the loaders compute the im2col
 * element from the image on the fly, so no column matrix is materialised. Per group g and image n
 * (GEMM batch z = n·G + g, or z = g for the weight gradient):
 * - conv2d:               y[n, g·Og + m, l]        = Σ_k w[g·Og + m, k] · im2col(x)[k, l]      (M = Og, N = Ho·Wo, K = Cg·kh·kw)
 * - conv2dBackwardInput:  dx[n, g·Cg + c, h·W + w] = Σ_(o,ki,kj) w[g·Og + o, c, ki, kj] · dy[n, g·Og + o, (h+p-ki·d)/s, ...]
 *                         where the division is exact and in range (M = Cg, N = H·W, K = Og·kh·kw)
 * - conv2dBackwardWeight: dw[g·Og + m, col]        = Σ_(n,l) dy[n, g·Og + m, l] · im2col(x_n)[col, l]  (M = Og, N = Cg·kh·kw, K = Nb·Ho·Wo)
 * Each output layout is exactly [z, M, N] row-major, which is what the GEMM writes.
 *
 * The geometry (everything but the batch size) is compiled into the loaders as constants: the index
 * arithmetic is then divisions by constants, which compilers turn into multiplications (integer
 * division is slow on CPU adapters, and several run per loaded element). So each distinct conv layer
 * compiles its three pipelines once; the batch size changes nothing.
 */
import type { Conv2dParams } from '@flint/core/backend';

export interface ConvDims {
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly kh: number;
  readonly kw: number;
  readonly ho: number;
  readonly wo: number;
}

export type ConvKind = 'conv2d' | 'conv2dBackwardInput' | 'conv2dBackwardWeight';

/** The loaders and their cache key for one conv geometry. */
export function convLoaders(kind: ConvKind, d: ConvDims, p: Conv2dParams): { key: string; loaders: string } {
  const g = p.groups;
  const geometry: [string, number][] = [
    ['CV_C', d.c],
    ['CV_H', d.h],
    ['CV_W', d.w],
    ['CV_HO', d.ho],
    ['CV_WO', d.wo],
    ['CV_KH', d.kh],
    ['CV_KW', d.kw],
    ['CV_SH', p.stride[0]],
    ['CV_SW', p.stride[1]],
    ['CV_PH', p.padding[0]],
    ['CV_PW', p.padding[1]],
    ['CV_DH', p.dilation[0]],
    ['CV_DW', p.dilation[1]],
    ['CV_G', g],
    ['CV_CG', d.c / g],
    ['CV_OG', d.o / g],
  ];
  // i32 constants: image coordinates can be negative (padding) before the bounds test.
  const consts = geometry.map(([name, v]) => `const ${name} = ${v}i;`).join('\n');
  const key = `${kind}/${geometry.map(([, v]) => v).join('x')}`;
  return { key, loaders: `${consts}\n${LOADERS[kind]}` };
}

/** conv2d: a = weight [O, Cg·kh·kw], b = x. */
const FORWARD = `const CV_KK = CV_KH * CV_KW;
const CV_K = CV_CG * CV_KK;
var<private> wBase: i32;
var<private> xBase: i32;
fn setup(z: u32) {
  let g = i32(z) % CV_G; let img = i32(z) / CV_G;
  wBase = g * CV_OG * CV_K;
  xBase = (img * CV_C + g * CV_CG) * CV_H * CV_W;
}
fn loadA(m: u32, k: u32) -> f32 { return a[wBase + i32(m) * CV_K + i32(k)]; }
fn loadB(ku: u32, l: u32) -> f32 {
  let k = i32(ku);
  let c = k / CV_KK; let r = k % CV_KK; let ki = r / CV_KW; let kj = r % CV_KW;
  let ih = (i32(l) / CV_WO) * CV_SH - CV_PH + ki * CV_DH;
  let iw = (i32(l) % CV_WO) * CV_SW - CV_PW + kj * CV_DW;
  if (ih < 0 || ih >= CV_H || iw < 0 || iw >= CV_W) { return 0.0; }
  return b[xBase + (c * CV_H + ih) * CV_W + iw];
}
`;

/** conv2dBackwardInput: a = weight, b = dy. */
const BACKWARD_INPUT = `const CV_KK = CV_KH * CV_KW;
var<private> wBase: i32;
var<private> yBase: i32;
fn setup(z: u32) {
  let g = i32(z) % CV_G; let img = i32(z) / CV_G;
  wBase = g * CV_OG * CV_CG * CV_KK;
  yBase = (img * CV_G * CV_OG + g * CV_OG) * CV_HO * CV_WO;
}
fn loadA(m: u32, ku: u32) -> f32 {
  let k = i32(ku);
  return a[wBase + ((k / CV_KK) * CV_CG + i32(m)) * CV_KK + k % CV_KK];
}
fn loadB(ku: u32, col: u32) -> f32 {
  let k = i32(ku);
  let o = k / CV_KK; let r = k % CV_KK; let ki = r / CV_KW; let kj = r % CV_KW;
  let th = i32(col) / CV_W + CV_PH - ki * CV_DH;
  let tw = i32(col) % CV_W + CV_PW - kj * CV_DW;
  if (th < 0 || tw < 0 || th % CV_SH != 0 || tw % CV_SW != 0) { return 0.0; }
  let oh = th / CV_SH; let ow = tw / CV_SW;
  if (oh >= CV_HO || ow >= CV_WO) { return 0.0; }
  return b[yBase + (o * CV_HO + oh) * CV_WO + ow];
}
`;

/** conv2dBackwardWeight: a = dy, b = x; K runs over (image, output position). */
const BACKWARD_WEIGHT = `const CV_KK = CV_KH * CV_KW;
const CV_L = CV_HO * CV_WO;
var<private> grp: i32;
fn setup(z: u32) { grp = i32(z); }
fn loadA(m: u32, ku: u32) -> f32 {
  let k = i32(ku);
  let img = k / CV_L;
  return a[((img * CV_G + grp) * CV_OG + i32(m)) * CV_L + k % CV_L];
}
fn loadB(ku: u32, col: u32) -> f32 {
  let k = i32(ku);
  let img = k / CV_L; let l = k % CV_L;
  let c = i32(col) / CV_KK; let r = i32(col) % CV_KK; let ki = r / CV_KW; let kj = r % CV_KW;
  let ih = (l / CV_WO) * CV_SH - CV_PH + ki * CV_DH;
  let iw = (l % CV_WO) * CV_SW - CV_PW + kj * CV_DW;
  if (ih < 0 || ih >= CV_H || iw < 0 || iw >= CV_W) { return 0.0; }
  return b[((img * CV_C + grp * CV_CG + c) * CV_H + ih) * CV_W + iw];
}
`;

const LOADERS: Record<ConvKind, string> = {
  conv2d: FORWARD,
  conv2dBackwardInput: BACKWARD_INPUT,
  conv2dBackwardWeight: BACKWARD_WEIGHT,
};
