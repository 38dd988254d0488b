/**
 * avgPool2dBackward, gather-style (deterministic): each input element sums dy / divisor over the
 * output windows that cover it (at most ceil(k / stride) per dim).
 */
import { sizeOf, type Pool2dParams, type Shape } from '@flint/core/backend';
import { AVG_DIVISOR, avgParams } from '../avgpool.js';
import type { Ref, WebGpuContext } from '../context.js';
import { bindings, elementwiseMain } from '../wgsl.js';

export const avgPool2dBackward = (ctx: WebGpuContext) => (dy: Ref, xShape: Shape, p: Pool2dParams) => {
  const dev = ctx.device;
  const [, , h, w] = xShape as [number, number, number, number];
  const [, , ho, wo] = dy.shape as [number, number, number, number];
  const n = sizeOf(xShape);
  const dx = dev.alloc(n, 'float32');
  if (n === 0) return dx;
  if (sizeOf(dy.shape) === 0) {
    dev.clear(dx);
    return dx;
  }
  const pipe = dev.pipeline(
    'avgPool2dBackward',
    1,
    1,
    () =>
      bindings([['dy', 'f32']], [['dx', 'f32']]) +
      AVG_DIVISOR +
      elementwiseMain(
        dev.workgroupSize,
        `  let H = i32(pu(1u)); let W = i32(pu(2u)); let Ho = i32(pu(3u)); let Wo = i32(pu(4u));
  let kh = i32(pu(5u)); let kw = i32(pu(6u));
  let sh = i32(pu(7u)); let sw = i32(pu(8u)); let ph = i32(pu(9u)); let pw = i32(pu(10u));
  let x = i32(i % u32(W)); let y = i32((i / u32(W)) % u32(H)); let plane = (i / u32(W)) / u32(H);
  let base = plane * u32(Ho * Wo);
  // Windows [o*s - p, o*s - p + k) containing y: o in [ceil((y + p - k + 1) / s), floor((y + p) / s)].
  let oh0 = max(0, (y + ph - kh + sh) / sh); let oh1 = min(Ho - 1, (y + ph) / sh);
  let ow0 = max(0, (x + pw - kw + sw) / sw); let ow1 = min(Wo - 1, (x + pw) / sw);
  var s = 0.0;
  for (var oh = oh0; oh <= oh1; oh++) {
    for (var ow = ow0; ow <= ow1; ow++) { s += dy[base + u32(oh * Wo + ow)] / pool_divisor(oh, ow); }
  }
  dx[i] = s;`,
      ),
  );
  dev.dispatch(pipe, [dy.storage], [dx], avgParams(n, h, w, ho, wo, p), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return dx;
};
