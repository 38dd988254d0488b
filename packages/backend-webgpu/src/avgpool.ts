/** PyTorch's average-pooling divisor, shared by avgPool2d and its backward kernel. */
import type { Pool2dParams } from '@flint/core/backend';
import { Params } from './wgsl.js';

/**
 * WGSL: the divisor of output window (oh, ow), from parameters H, W, kh, kw, sh, sw, ph, pw,
 * countIncludePad and divisorOverride (0 = none) at words 1..12.
 */
export const AVG_DIVISOR = `
fn pool_divisor(oh: i32, ow: i32) -> f32 {
  let H = i32(pu(1u)); let W = i32(pu(2u)); let kh = i32(pu(5u)); let kw = i32(pu(6u));
  let sh = i32(pu(7u)); let sw = i32(pu(8u)); let ph = i32(pu(9u)); let pw = i32(pu(10u));
  if (pu(12u) != 0u) { return f32(pu(12u)); }
  var h0 = oh * sh - ph; var w0 = ow * sw - pw;
  var h1 = min(h0 + kh, H + ph); var w1 = min(w0 + kw, W + pw);
  let pool = (h1 - h0) * (w1 - w0);
  if (pu(11u) != 0u) { return f32(pool); }
  h0 = max(h0, 0); w0 = max(w0, 0); h1 = min(h1, H); w1 = min(w1, W);
  return f32((h1 - h0) * (w1 - w0));
}
`;

/** Parameter words: n, H, W, Ho, Wo, kh, kw, sh, sw, ph, pw, countIncludePad, divisorOverride. */
export function avgParams(n: number, h: number, w: number, ho: number, wo: number, p: Pool2dParams): Uint32Array {
  return new Params()
    .u(n)
    .us([h, w, ho, wo, p.kernelSize[0], p.kernelSize[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1]])
    .u(p.countIncludePad ? 1 : 0)
    .u(p.divisorOverride ?? 0)
    .build();
}
