/**
 * The reduction family: each output element loops over the reduced elements. Kept dims and
 * reduced dims are walked by two strided decompositions (MAXR each), so any set of axes works
 * with one source per kernel (wide sources, past 2^24 elements, are specialized by the ranks).
 *
 * Mesa's llvmpipe stops any shader after 65535 loop iterations (silently: the loop just ends), so
 * a reduction over more than CHUNK elements runs in passes: pass 1 reduces chunks of CHUNK
 * elements into [out, P] partials, the next pass reduces those (a tree reduction; it also gives
 * a GPU more threads). Sums are compensated within a chunk (codegen's twoSumStep) and the tree
 * adds the chunk sums, so a float32 sum of 1e6 elements keeps about float32 precision.
 */
import { sizeOf, stridesOf } from '@flint/core/backend';
import { MAXR, coalesce, genOffsets, memoSource, padConstants } from './codegen.js';
import type { GpuContext } from './context.js';
import type { Ref } from './elementwise.js';
import type { GpuStorage } from './storage.js';
import {
  LIMB,
  addWide,
  constantNames,
  divmod,
  divmodWide,
  genOffsetsWide,
  ltConstWide,
  narrow,
  threadWide,
  withLimbs,
} from './wide.js';

/** Elements per thread in one pass. Equal to the limb base, so a wide reduced index is (chunk, offset). */
export const CHUNK = LIMB;

/** Constants for reducing x over `axes` in chunks: kept dims `d*`/strides `k*`, reduced dims `e*`/strides `s*`. */
export function reduceConstants(
  shape: readonly number[],
  axes: readonly number[],
): { c: Record<string, number>; outSize: number; count: number; parts: number; keptRank: number; redRank: number } {
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
  return {
    c,
    outSize: sizeOf(keptShape),
    count,
    parts,
    keptRank: kept.dims.length,
    redRank: red.dims.length,
  };
}

/**
 * What a reduction does per chunk: `init` declares the accumulators, `step` folds `v` (the element)
 * at reduced index `r` (`found` is 0 before the first element), `finish` returns the result.
 * `compensated` kernels get a uniform `one` (see twoSumStep).
 */
export interface ReduceBody {
  readonly init: string;
  readonly step: string;
  readonly finish: string;
  readonly compensated?: boolean;
}

/** A reduction's narrow source and its wide sources (by kept and reduced rank). */
export interface ReduceSources {
  readonly name: string;
  readonly body: ReduceBody;
  readonly narrow: string;
  wide(keptRank: number, redRank: number): string;
}

/**
 * Output element i = (o, p) reduces the reduced elements [p * CH, (p + 1) * CH) of kept
 * position o.
 */
export function reduceSources(name: string, body: ReduceBody): ReduceSources {
  const params = body.compensated === true ? 'x, one' : 'x';
  const narrowSource = `function(${params}) {
${divmod('this.thread.x', 'this.constants.P', 'o', 'p')}
${genOffsets('o', 'd', ['k'])}
${body.init}
let found = 0;
for (let rl = 0; rl < this.constants.CH; rl++) {
  const r = p * this.constants.CH + rl;
  if (r < this.constants.R) {
${genOffsets('r', 'e', ['s'], 'r')}
    const v = x[off_k + off_sr];
    ${body.step}
    found = 1;
  }
}
${body.finish}
}`;
  const cache = new Map<string, string>();
  // Wide: the reduced index r is the wide value (p, rl), as CH <= CHUNK = LIMB.
  const wide = (keptRank: number, redRank: number) =>
    memoSource(
      cache,
      `${keptRank}/${redRank}`,
      () => `function(${params}) {
${threadWide('t')}
${divmodWide('t', 'P', 'o', 'p', 'op')}
${genOffsetsWide('o', 'd', ['k'], MAXR, keptRank)}
const pn = ${narrow('p')};
${body.init}
let found = 0;
for (let rl = 0; rl < this.constants.CH; rl++) {
  const rH = pn;
  const rL = rl;
  if (${ltConstWide('r', 'R')}) {
    const r = rH * 4096 + rL;
${genOffsetsWide('r', 'e', ['s'], MAXR, redRank, 'r')}
${addWide('off_sr', 'off_k')}
    const v = x[off_srH][off_srL];
    ${body.step}
    found = 1;
  }
}
${body.finish}
}`,
    );
  return { name, body, narrow: narrowSource, wide };
}

/** One pass: [outSize * parts] partial results (the final result when parts is 1). */
export function reducePass(
  ctx: GpuContext,
  sources: ReduceSources,
  x: Ref,
  axes: readonly number[],
  dtype = x.dtype,
): GpuStorage {
  const { c, outSize, parts, keptRank, redRank } = reduceConstants(x.shape, axes);
  const args = sources.body.compensated === true ? [x.storage, 1] : [x.storage];
  const n = outSize * parts;
  if (ctx.needsWide(n, x.storage.size)) {
    withLimbs(c, [...constantNames('d', MAXR), ...constantNames('k', MAXR), ...constantNames('e', MAXR)]);
    withLimbs(c, [...constantNames('s', MAXR), 'P', 'R']);
    const source = sources.wide(keptRank, redRank);
    return ctx.run(`${sources.name}/wide${keptRank}.${redRank}`, source, c, n, args, dtype, 'limbs');
  }
  return ctx.run(sources.name, sources.narrow, c, n, args, dtype);
}

/**
 * sum/prod/max/min. `emptyValue`: the result of reducing nothing (sum 0, prod 1); null where core
 * never asks. Partials combine with the same kernel, so passes recurse.
 */
export function reduceKernel(name: string, body: ReduceBody, emptyValue: number | null) {
  const sources = reduceSources(name, body);
  const reduce = (ctx: GpuContext, x: Ref, axes: readonly number[]): GpuStorage => {
    const { outSize, count, parts } = reduceConstants(x.shape, axes);
    if (outSize === 0) return ctx.empty(x.dtype);
    if (count === 0 || x.storage.size === 0) {
      if (emptyValue === null) throw new Error(`@flint/backend-gpujs: ${name} of an empty reduction.`);
      return ctx.fill(outSize, emptyValue, x.dtype);
    }
    const partial = reducePass(ctx, sources, x, axes);
    if (parts === 1) return partial;
    const out = reduce(ctx, { storage: partial, shape: [outSize, parts], dtype: x.dtype }, [1]);
    ctx.dispose(partial);
    return out;
  };
  return (ctx: GpuContext) => (x: Ref, axes: readonly number[]) => reduce(ctx, x, axes);
}
