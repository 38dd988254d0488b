/** Shared by the pooling kernels: PyTorch's window geometry (explicit padding, ceil_mode, dilation). */
import type { Pool2dParams } from '@flint/core/backend';

export interface PoolGeometry {
  readonly kH: number;
  readonly kW: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
  readonly dh: number;
  readonly dw: number;
  /** Extra padding after the input so ceil_mode's last window fits (padded with the neutral value). */
  readonly extraH: number;
  readonly extraW: number;
}

export function poolGeometry(p: Pool2dParams, h: number, w: number, ho: number, wo: number): PoolGeometry {
  const [kH, kW] = p.kernelSize;
  const [sh, sw] = p.stride;
  const [ph, pw] = p.padding;
  const [dh, dw] = p.dilation;
  const needH = (ho - 1) * sh + (kH - 1) * dh + 1;
  const needW = (wo - 1) * sw + (kW - 1) * dw + 1;
  return {
    kH,
    kW,
    sh,
    sw,
    ph,
    pw,
    dh,
    dw,
    extraH: Math.max(0, needH - (h + 2 * ph)),
    extraW: Math.max(0, needW - (w + 2 * pw)),
  };
}

/**
 * PyTorch's avg_pool2d divisor per output position ([Ho * Wo], row-major): divisorOverride, or the
 * window clipped to the padded input (countIncludePad), or to the input itself.
 */
export function avgPoolDivisors(p: Pool2dParams, h: number, w: number, ho: number, wo: number): Float32Array {
  const [kH, kW] = p.kernelSize;
  const [sh, sw] = p.stride;
  const [ph, pw] = p.padding;
  const out = new Float32Array(ho * wo);
  for (let oy = 0; oy < ho; oy++) {
    for (let ox = 0; ox < wo; ox++) {
      let hs = oy * sh - ph;
      let ws = ox * sw - pw;
      let he = Math.min(hs + kH, h + ph);
      let we = Math.min(ws + kW, w + pw);
      const poolSize = (he - hs) * (we - ws);
      hs = Math.max(hs, 0);
      ws = Math.max(ws, 0);
      he = Math.min(he, h);
      we = Math.min(we, w);
      let div: number;
      if (p.divisorOverride !== undefined && p.divisorOverride !== 0) div = p.divisorOverride;
      else if (p.countIncludePad) div = poolSize;
      else div = (he - hs) * (we - ws);
      out[oy * wo + ox] = div;
    }
  }
  return out;
}
