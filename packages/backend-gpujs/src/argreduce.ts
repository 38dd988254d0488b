/**
 * argmax/argmin along one axis: first occurrence, a NaN counts as the extreme (torch). Over more
 * than CHUNK elements: pass 1 gives each chunk's extreme value and its index, then the arg of the
 * chunk values (first chunk wins ties, so the first occurrence overall) picks the index.
 */
import { reduceConstants, reducePass, reduceSource } from './reduce.js';
import type { GpuContext } from './context.js';
import type { Ref } from './elementwise.js';
import type { GpuStorage } from './storage.js';
import { gather } from './kernels/gather.js';

export function argReduceKernel(name: 'argmax' | 'argmin') {
  const cmp = name === 'argmax' ? '>' : '<';
  const pick = `if (found == 0 || (best == best && (v ${cmp} best || v != v))) { best = v; idx = r; }`;
  const indexSource = reduceSource('let best = 0;\nlet idx = 0;', pick, 'idx');
  const valueSource = reduceSource('let best = 0;\nlet idx = 0;', pick, 'best');
  const arg = (ctx: GpuContext, x: Ref, axis: number): GpuStorage => {
    const { outSize, parts } = reduceConstants(x.shape, [axis]);
    if (outSize === 0) return ctx.empty('int32');
    const idx = reducePass(ctx, name, indexSource, x, [axis], 'int32');
    if (parts === 1) return idx;
    const vals = reducePass(ctx, `${name}/values`, valueSource, x, [axis]);
    const best = arg(ctx, { storage: vals, shape: [outSize, parts], dtype: x.dtype }, 1);
    const out = gather(ctx)({ storage: idx, shape: [outSize, parts], dtype: 'int32' }, 1, {
      storage: best,
      shape: [outSize, 1],
      dtype: 'int32',
    });
    ctx.dispose(vals);
    ctx.dispose(best);
    ctx.dispose(idx);
    return out;
  };
  return (ctx: GpuContext) => (x: Ref, axis: number) => arg(ctx, x, axis);
}
