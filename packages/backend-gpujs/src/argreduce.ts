/**
 * argmax/argmin along one axis: first occurrence, a NaN counts as the extreme (torch). Over more
 * than CHUNK elements: pass 1 gives each chunk's extreme value and its index, then the arg of the
 * chunk values (first chunk wins ties, so the first occurrence overall) picks the index.
 */
import { reduceConstants, reducePass, reduceSources } from './reduce.js';
import type { GpuContext } from './context.js';
import type { Ref } from './elementwise.js';
import type { GpuStorage } from './storage.js';
import { gather } from './kernels/gather.js';
import { FLOAT_EXACT } from './wide.js';

export function argReduceKernel(name: 'argmax' | 'argmin') {
  const cmp = name === 'argmax' ? '>' : '<';
  const init = 'let best = 0;\nlet idx = 0;';
  const step = `if (found == 0 || (best == best && (v ${cmp} best || v != v))) { best = v; idx = r; }`;
  const indexSources = reduceSources(name, { init, step, finish: 'return idx;' });
  const valueSources = reduceSources(`${name}/values`, { init, step, finish: 'return best;' });
  const arg = (ctx: GpuContext, x: Ref, axis: number): GpuStorage => {
    const { outSize, count, parts } = reduceConstants(x.shape, [axis]);
    if (outSize === 0) return ctx.empty('int32');
    if (count > FLOAT_EXACT) {
      throw new Error(
        `@flint/backend-gpujs: ${name} along an axis of ${count} elements: int32 results are stored as float32, ` +
          `exact only up to 2^24 = ${FLOAT_EXACT}, so indices past it cannot be returned.`,
      );
    }
    const idx = reducePass(ctx, indexSources, x, [axis], 'int32');
    if (parts === 1) return idx;
    const vals = reducePass(ctx, valueSources, x, [axis]);
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
