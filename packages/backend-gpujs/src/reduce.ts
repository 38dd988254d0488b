/**
 * The reduction family: each output element loops over the reduced elements. Kept dims and
 * reduced dims are walked by two strided decompositions (MAXR each), so any set of axes works
 * with one source per kernel.
 *
 * Mesa's llvmpipe stops any shader after 65535 loop iterations (silently: the loop just ends), so
 * a reduction over more than CHUNK elements runs in passes: pass 1 reduces chunks of CHUNK
 * elements into [out, P] partials, the next pass reduces those (a tree reduction; it also gives
 * a GPU more threads and a sum more accuracy).
 */
import { sizeOf, stridesOf } from '@flint/core/backend';
import { coalesce, genOffsets, padConstants } from './codegen.js';
import type { GpuContext } from './context.js';
import type { Ref } from './elementwise.js';
import type { GpuStorage } from './storage.js';

export const CHUNK = 4096;

/** Constants for reducing x over `axes` in chunks: kept dims `d*`/strides `k*`, reduced dims `e*`/strides `s*`. */
export function reduceConstants(
  shape: readonly number[],
  axes: readonly number[],
): { c: Record<string, number>; outSize: number; count: number; parts: number } {
  const strides = stridesOf(shape);
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      redShape.push(shape[i]!);
      redStrides.push(strides[i]!);
    } else {
      keptShape.push(shape[i]!);
      keptStrides.push(strides[i]!);
    }
  }
  const kept = coalesce(keptShape, [keptStrides]);
  const red = coalesce(redShape, [redStrides]);
  const c: Record<string, number> = {};
  padConstants('d', kept.dims, 1, c);
  padConstants('k', kept.strides[0]!, 0, c);
  padConstants('e', red.dims, 1, c);
  padConstants('s', red.strides[0]!, 0, c);
  const count = sizeOf(redShape);
  const parts = Math.max(1, Math.ceil(count / CHUNK));
  c.R = count;
  c.P = parts;
  c.CH = parts === 1 ? count : CHUNK;
  return { c, outSize: sizeOf(keptShape), count, parts };
}

/**
 * A reduction source over one chunk: output element i = (o, p) reduces reduced elements
 * [p * CH, (p + 1) * CH). `init` declares the accumulators, `step` folds `v` (the element) at
 * reduced index `r` (`found` is 0 before the first element), `result` is returned.
 */
export function reduceSource(init: string, step: string, result = 'acc'): string {
  return `function(x) {
const o = Math.floor((this.thread.x + 0.5) / this.constants.P);
const p = this.thread.x - o * this.constants.P;
${genOffsets('o', 'd', ['k'])}
${init}
let found = 0;
for (let rl = 0; rl < this.constants.CH; rl++) {
  const r = p * this.constants.CH + rl;
  if (r < this.constants.R) {
${genOffsets('r', 'e', ['s'], 'r')}
    const v = x[off_k + off_sr];
    ${step}
    found = 1;
  }
}
return ${result};
}`;
}

/** One pass: [outSize * parts] partial results (the final result when parts is 1). */
export function reducePass(
  ctx: GpuContext,
  name: string,
  source: string,
  x: Ref,
  axes: readonly number[],
  dtype = x.dtype,
): GpuStorage {
  const { c, outSize, parts } = reduceConstants(x.shape, axes);
  return ctx.run(name, source, c, outSize * parts, [x.storage], dtype);
}

/**
 * sum/prod/max/min. `emptyValue`: the result of reducing nothing (sum 0, prod 1); null where core
 * never asks. Partials combine with the same kernel, so passes recurse.
 */
export function reduceKernel(name: string, init: string, step: string, emptyValue: number | null) {
  const source = reduceSource(init, step);
  const reduce = (ctx: GpuContext, x: Ref, axes: readonly number[]): GpuStorage => {
    const { outSize, count, parts } = reduceConstants(x.shape, axes);
    if (outSize === 0) return ctx.empty(x.dtype);
    if (count === 0 || x.storage.size === 0) {
      if (emptyValue === null) throw new Error(`@flint/backend-gpujs: ${name} of an empty reduction.`);
      return ctx.fill(outSize, emptyValue, x.dtype);
    }
    const partial = reducePass(ctx, name, source, x, axes);
    if (parts === 1) return partial;
    const out = reduce(ctx, { storage: partial, shape: [outSize, parts], dtype: x.dtype }, [1]);
    ctx.dispose(partial);
    return out;
  };
  return (ctx: GpuContext) => (x: Ref, axes: readonly number[]) => reduce(ctx, x, axes);
}
