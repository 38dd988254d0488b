/**
 * maxPool2dBackward: dx starts at zero and every dy element is added at its recorded index within
 * its plane (atomically: overlapping windows can pick the same input).
 */
import { sizeOf, type Shape } from '@flint/core/backend';
import { atomicAddCode } from '../atomics.js';
import type { Ref, WebGpuContext } from '../context.js';
import { bindings, elementwiseMain, Params } from '../wgsl.js';

export const maxPool2dBackward = (ctx: WebGpuContext) => (dy: Ref, indices: Ref, xShape: Shape) => {
  const dev = ctx.device;
  const dx = dev.alloc(sizeOf(xShape), 'float32');
  dev.clear(dx);
  const n = sizeOf(dy.shape);
  if (n === 0) return dx;
  const pipe = dev.pipeline(
    'maxPool2dBackward',
    2,
    1,
    () =>
      bindings(
        [
          ['dy', 'f32'],
          ['idx', 'i32'],
        ],
        [['dx', 'atomic<u32>']],
      ) +
      elementwiseMain(
        dev.workgroupSize,
        `  let at = (i / pu(1u)) * pu(2u) + u32(idx[i]);\n  let v = dy[i];\n${atomicAddCode(true, 'dx[at]', 'v')}`,
      ),
  );
  const params = new Params()
    .u(n)
    .u(dy.shape[2]! * dy.shape[3]!)
    .u(xShape[2]! * xShape[3]!);
  dev.dispatch(pipe, [dy.storage, indices.storage], [dx], params.build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return dx;
};
