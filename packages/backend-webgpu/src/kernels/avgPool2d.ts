/** avgPool2d: one invocation per output sums its (clipped) window and divides by PyTorch's divisor. */
import type { Pool2dParams, Shape } from '@flint/core/backend';
import { AVG_DIVISOR, avgParams } from '../avgpool.js';
import type { Ref, WebGpuContext } from '../context.js';
import { bindings, elementwiseMain } from '../wgsl.js';

export const avgPool2d = (ctx: WebGpuContext) => (x: Ref, p: Pool2dParams, outShape: Shape) => {
  const dev = ctx.device;
  const [, , h, w] = x.shape as [number, number, number, number];
  const [nb, c, ho, wo] = outShape as [number, number, number, number];
  const n = nb * c * ho * wo;
  const out = dev.alloc(n, 'float32');
  if (n === 0) return out;
  const pipe = dev.pipeline(
    'avgPool2d',
    1,
    1,
    () =>
      bindings([['x', 'f32']], [['out', 'f32']]) +
      AVG_DIVISOR +
      elementwiseMain(
        dev.workgroupSize,
        `  let H = i32(pu(1u)); let W = i32(pu(2u)); let Ho = pu(3u); let Wo = pu(4u);
  let kh = i32(pu(5u)); let kw = i32(pu(6u));
  let sh = i32(pu(7u)); let sw = i32(pu(8u)); let ph = i32(pu(9u)); let pw = i32(pu(10u));
  let ow = i32(i % Wo); let oh = i32((i / Wo) % Ho); let plane = (i / Wo) / Ho;
  let base = plane * u32(H * W);
  let h0 = oh * sh - ph; let w0 = ow * sw - pw;
  let h1 = min(h0 + kh, H); let w1 = min(w0 + kw, W);
  var s = 0.0;
  for (var ih = max(h0, 0); ih < h1; ih++) {
    for (var iw = max(w0, 0); iw < w1; iw++) { s += x[base + u32(ih * W + iw)]; }
  }
  out[i] = s / pool_divisor(oh, ow);`,
      ),
  );
  dev.dispatch(pipe, [x.storage], [out], avgParams(n, h, w, ho, wo, p), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return out;
};
