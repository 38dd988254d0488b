/**
 * gather (torch.gather): out[..i..] = x[..index[..i..] at axis..]; out.shape = index.shape. Walks
 * the index shape with x's strides (0 along the axis), then adds index · stride(axis).
 */
import { sizeOf, stridesOf } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { checkRank } from '../elementwise.js';
import { bindings, coalesce, elementwiseMain, Params, walkOffsets } from '../wgsl.js';

export const gather = (ctx: WebGpuContext) => (x: Ref, axis: number, index: Ref) => {
  const dev = ctx.device;
  const n = sizeOf(index.shape);
  const out = dev.alloc(n, x.dtype);
  if (n === 0) return out;
  const xs = stridesOf(x.shape);
  const walk = coalesce(index.shape, [xs.map((s, d) => (d === axis ? 0 : s))]);
  const rank = walk.shape.length;
  checkRank('gather', rank, 1);
  const pipe = dev.pipeline(
    `gather/r${rank}`,
    2,
    1,
    () =>
      bindings(
        [
          ['x', 'u32'],
          ['idx', 'i32'],
        ],
        [['out', 'u32']],
      ) +
      elementwiseMain(
        dev.workgroupSize,
        `${walkOffsets('i', rank, 2, [{ name: 'x', stridesAt: 2 + rank }])}  out[i] = x[off_x + u32(idx[i]) * pu(1u)];`,
      ),
  );
  const params = new Params().u(n).u(xs[axis]!).us(walk.shape).us(walk.strides[0]!);
  dev.dispatch(pipe, [x.storage, index.storage], [out], params.build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return out;
};
