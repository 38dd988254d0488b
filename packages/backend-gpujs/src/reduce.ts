/**
 * The reduction family: each output element loops over the reduced elements. Kept dims and
 * reduced dims are walked by two strided decompositions (MAXR each), so any set of axes works
 * with one source per kernel.
 */
import { sizeOf, stridesOf } from '@flint/core/backend';
import { coalesce, genOffsets, padConstants } from './codegen.js';
import type { GpuContext } from './context.js';
import type { Ref } from './elementwise.js';
import type { GpuStorage } from './storage.js';

/** Constants for reducing x over `axes`: kept dims `d*` / strides `k*`, reduced dims `e*` / strides `s*`, count `R`. */
export function reduceConstants(shape: readonly number[], axes: readonly number[]): { c: Record<string, number>; outSize: number; count: number } {
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
  c['R'] = count;
  return { c, outSize: sizeOf(keptShape), count };
}

/**
 * A reduction source: `init` declares `acc` (may read `x[off_k]`, the first reduced element),
 * `step` folds `v` (the element) at loop index `r` into `acc`, `result` is returned.
 */
export function reduceSource(init: string, step: string, result = 'acc'): string {
  return `function(x) {
${genOffsets('this.thread.x', 'd', ['k'])}
${init}
for (let r = 0; r < this.constants.R; r++) {
${genOffsets('r', 'e', ['s'], 'r')}
const v = x[off_k + off_sr];
${step}
}
return ${result};
}`;
}

/** `emptyValue`: the result of reducing nothing (sum 0, prod 1); null where core never asks. */
export function reduceKernel(name: string, init: string, step: string, emptyValue: number | null) {
  const source = reduceSource(init, step);
  return (ctx: GpuContext) =>
    (x: Ref, axes: readonly number[]): GpuStorage => {
      const { c, outSize, count } = reduceConstants(x.shape, axes);
      if (count === 0 || x.storage.size === 0) {
        if (emptyValue === null) throw new Error(`@flint/backend-gpujs: ${name} of an empty reduction.`);
        return ctx.fill(outSize, emptyValue, x.dtype);
      }
      return ctx.run(name, source, c, outSize, [x.storage], x.dtype);
    };
}
