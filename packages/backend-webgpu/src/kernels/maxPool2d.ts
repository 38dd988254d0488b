/**
 * maxPool2d: one invocation per output scans its window; values and the flat in-plane index
 * ih·W + iw of the first maximum in scan order (a NaN replaces the best, as in PyTorch). Padding is
 * never selected.
 */
import type { Pool2dParams, Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { bindings, elementwiseMain, FLOAT_HELPERS, Params } from '../wgsl.js';

export const maxPool2d = (ctx: WebGpuContext) => (x: Ref, p: Pool2dParams, outShape: Shape) => {
  const dev = ctx.device;
  const [, , h, w] = x.shape as [number, number, number, number];
  const [nb, c, ho, wo] = outShape as [number, number, number, number];
  const n = nb * c * ho * wo;
  const values = dev.alloc(n, 'float32');
  const indices = dev.alloc(n, 'int32');
  if (n === 0) return { values, indices };
  const pipe = dev.pipeline(
    'maxPool2d',
    1,
    2,
    () =>
      bindings(
        [['x', 'f32']],
        [
          ['vals', 'f32'],
          ['idxs', 'i32'],
        ],
      ) +
      FLOAT_HELPERS +
      elementwiseMain(
        dev.workgroupSize,
        `  let H = i32(pu(1u)); let W = i32(pu(2u)); let Ho = pu(3u); let Wo = pu(4u);
  let kh = pu(5u); let kw = pu(6u);
  let sh = i32(pu(7u)); let sw = i32(pu(8u)); let ph = i32(pu(9u)); let pw = i32(pu(10u));
  let dh = i32(pu(11u)); let dw = i32(pu(12u));
  let ow = i32(i % Wo); let oh = i32((i / Wo) % Ho); let plane = (i / Wo) / Ho;
  let base = plane * u32(H * W);
  var best = 0.0;
  var bestI = -1;
  for (var ki = 0u; ki < kh; ki++) {
    let ih = oh * sh - ph + i32(ki) * dh;
    if (ih < 0 || ih >= H) { continue; }
    for (var kj = 0u; kj < kw; kj++) {
      let iw = ow * sw - pw + i32(kj) * dw;
      if (iw < 0 || iw >= W) { continue; }
      let at = ih * W + iw;
      let v = x[base + u32(at)];
      if (bestI < 0 || v > best || is_nan(v)) { best = v; bestI = at; }
    }
  }
  vals[i] = best;
  idxs[i] = bestI;`,
      ),
  );
  const params = new Params()
    .u(n)
    .us([h, w, ho, wo, p.kernelSize[0], p.kernelSize[1]])
    .us([p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1]]);
  dev.dispatch(pipe, [x.storage], [values, indices], params.build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return { values, indices };
};
