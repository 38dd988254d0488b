/**
 * pad: constant padding. Each output element maps back to an input coordinate per dim or takes the
 * value; dims without padding merge into the dim outside them.
 */
import { sizeOf } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { checkRank } from '../elementwise.js';
import { wordOf } from '../layout.js';
import { bindings, elementwiseMain, Params } from '../wgsl.js';

interface PadDim {
  out: number;
  in: number;
  before: number;
  stride: number;
}

/** Merge each unpadded dim into the dim outside it (innermost first). */
function mergeDims(shape: readonly number[], pads: readonly (readonly [number, number])[]): PadDim[] {
  const dims: PadDim[] = [];
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const [before, after] = pads[d]!;
    dims.unshift({ out: shape[d]! + before + after, in: shape[d]!, before, stride });
    stride *= shape[d]!;
  }
  const merged: PadDim[] = [];
  for (const dim of dims) {
    const prev = merged[merged.length - 1];
    if (prev !== undefined && dim.before === 0 && dim.out === dim.in) {
      // Unpadded inner dim: fold it into the outer one.
      merged[merged.length - 1] = {
        out: prev.out * dim.in,
        in: prev.in * dim.in,
        before: prev.before * dim.in,
        stride: dim.stride,
      };
    } else merged.push({ ...dim });
  }
  return merged;
}

export const pad = (ctx: WebGpuContext) => (x: Ref, pads: readonly (readonly [number, number])[], value: number) => {
  const dev = ctx.device;
  const outShape = x.shape.map((s, d) => s + pads[d]![0] + pads[d]![1]);
  const n = sizeOf(outShape);
  const out = dev.alloc(n, x.dtype);
  if (n === 0) return out;
  const dims = mergeDims(x.shape, pads);
  const rank = dims.length;
  checkRank('pad', rank, 3);
  const pipe = dev.pipeline(`pad/r${rank}`, 1, 1, () => {
    const lines = ['  var rem = i;', '  var off = 0u;', '  var inside = true;'];
    for (let d = rank - 1; d >= 0; d--) {
      const at = 2 + 4 * d;
      lines.push(
        `  { let c = ${d > 0 ? `rem % pu(${at}u)` : 'rem'};${d > 0 ? ` rem = rem / pu(${at}u);` : ''}`,
        `    let ci = i32(c) - i32(pu(${at + 2}u));`,
        `    if (ci < 0 || ci >= i32(pu(${at + 1}u))) { inside = false; }`,
        `    off += u32(max(ci, 0)) * pu(${at + 3}u); }`,
      );
    }
    lines.push('  if (inside) { out[i] = x[off]; } else { out[i] = pu(1u); }');
    return bindings([['x', 'u32']], [['out', 'u32']]) + elementwiseMain(dev.workgroupSize, lines.join('\n'));
  });
  const params = new Params().u(n).u(wordOf(value, x.dtype));
  for (const d of dims) params.u(d.out).u(d.in).u(d.before).u(d.stride);
  dev.dispatch(pipe, [x.storage], [out], params.build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return out;
};
