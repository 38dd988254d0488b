/**
 * concat: each input is copied into its band of the output. Viewed as [outer, axis·inner], input k
 * fills columns [offset_k, offset_k + width_k) of every row: one dispatch (or one buffer copy when
 * there is a single row) per non-empty input, so any number of inputs works within the adapter's
 * storage-buffer limit.
 */
import { sizeOf, type Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { bindings, elementwiseMain, Params } from '../wgsl.js';

export const concat = (ctx: WebGpuContext) => (xs: readonly Ref[], axis: number, outShape: Shape) => {
  const dev = ctx.device;
  const n = sizeOf(outShape);
  const out = dev.alloc(n, xs[0]!.dtype);
  if (n === 0) return out;
  const outer = sizeOf(outShape.slice(0, axis));
  const inner = sizeOf(outShape.slice(axis + 1));
  const rowOut = outShape[axis]! * inner;
  const pipe = dev.pipeline(
    'concat',
    1,
    1,
    () =>
      bindings([['x', 'u32']], [['out', 'u32']]) +
      elementwiseMain(
        dev.workgroupSize,
        '  let row = i / pu(1u);\n  out[row * pu(2u) + pu(3u) + (i - row * pu(1u))] = x[i];',
      ),
  );
  let offset = 0;
  for (const x of xs) {
    const width = x.shape[axis]! * inner;
    const count = outer * width;
    if (count > 0) {
      if (outer === 1) dev.copy(x.storage, 0, out, offset, count);
      else {
        const params = new Params().u(count).u(width).u(rowOut).u(offset);
        dev.dispatch(pipe, [x.storage], [out], params.build(), dev.grid(Math.ceil(count / dev.workgroupSize)));
      }
    }
    offset += width;
  }
  return out;
};
