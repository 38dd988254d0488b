/**
 * Shared sources for the elementwise kernel families. Each kernel file names its kernel and its
 * body; the generic parts (indexing, broadcasting) are written once here.
 */
import { broadcastStrides, shapesEqual, sizeOf, type DType, type Shape, type TensorRef } from '@flint/core/backend';
import { MAXR, genOffsets, memoSource, stridedWalk, walkConstantNames } from './codegen.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';
import { addConstWide, genOffsetsWide, threadWide, withLimbs } from './wide.js';

export type Ref = TensorRef<GpuStorage>;

/**
 * A unary kernel: `body` reads `x` (the element) and `return`s the result. `a[this.thread.x]`
 * indexes with gpu.js's own int thread index, so it is exact at any size.
 */
export function unaryKernel(name: string, body: string, outDtype?: DType) {
  const source = `function(a) {\nconst x = a[this.thread.x];\n${body}\n}`;
  return (ctx: GpuContext) =>
    (x: Ref): GpuStorage =>
      ctx.run(name, source, {}, sizeOf(x.shape), [x.storage], outDtype ?? x.dtype);
}

/** A unary kernel with one scalar parameter `p` (a uniform, so new values compile nothing). */
export function unaryParamKernel(name: string, body: string) {
  const source = `function(a, p) {\nconst x = a[this.thread.x];\n${body}\n}`;
  return (ctx: GpuContext) =>
    (x: Ref, p: number): GpuStorage =>
      ctx.run(name, source, {}, sizeOf(x.shape), [x.storage, p], x.dtype);
}

const wideSources = new Map<string, string>();

/**
 * A binary kernel with NumPy broadcasting: `body` reads `x` and `y` and `return`s. Inputs of the
 * output's shape use a direct source; others walk broadcast strides (constants), in wide
 * arithmetic past 2^24 elements.
 */
export function binaryKernel(name: string, body: string, outDtype?: (a: DType) => DType) {
  const direct = `function(a, b) {\nconst x = a[this.thread.x];\nconst y = b[this.thread.x];\n${body}\n}`;
  const strided = `function(a, b) {\n${genOffsets('this.thread.x', 'd', ['a', 'b'])}const x = a[off_a];\nconst y = b[off_b];\n${body}\n}`;
  const wide = (rank: number) =>
    memoSource(
      wideSources,
      `${name}/${rank}`,
      () =>
        `function(a, b) {\n${threadWide('i')}${genOffsetsWide('i', 'd', ['a', 'b'], MAXR, rank)}` +
        `const x = a[off_aH][off_aL];\nconst y = b[off_bH][off_bL];\n${body}\n}`,
    );
  return (ctx: GpuContext) =>
    (a: Ref, b: Ref, outShape: Shape): GpuStorage => {
      const dtype = outDtype ? outDtype(a.dtype) : a.dtype;
      const n = sizeOf(outShape);
      if (shapesEqual(a.shape, outShape) && shapesEqual(b.shape, outShape)) {
        return ctx.run(name, direct, {}, n, [a.storage, b.storage], dtype);
      }
      const { c, rank } = stridedWalk(outShape, {
        a: broadcastStrides(a.shape, outShape),
        b: broadcastStrides(b.shape, outShape),
      });
      const args = [a.storage, b.storage];
      if (ctx.needsWide(n, a.storage.size, b.storage.size)) {
        withLimbs(c, walkConstantNames(['a', 'b']));
        return ctx.run(`${name}/wide${rank}`, wide(rank), c, n, args, dtype, 'limbs');
      }
      return ctx.run(`${name}/strided`, strided, c, n, args, dtype);
    };
}

/** out[i] = x[base + sum_k c_k * strides[k]] over outShape: the family behind permute, expand, slice. */
export const STRIDED_GATHER_SOURCE = `function(a) {\n${genOffsets('this.thread.x', 'd', ['a'])}return a[off_a + this.constants.base];\n}`;

const wideGather = (rank: number) =>
  memoSource(
    wideSources,
    `stridedGather/${rank}`,
    () =>
      `function(a) {\n${threadWide('i')}${genOffsetsWide('i', 'd', ['a'], MAXR, rank)}` +
      `${addConstWide('off_a', 'base')}return a[off_aH][off_aL];\n}`,
  );

export function stridedGather(
  ctx: GpuContext,
  name: string,
  x: Ref,
  outShape: Shape,
  strides: readonly number[],
  base: number,
): GpuStorage {
  const { c, rank } = stridedWalk(outShape, { a: strides });
  c.base = base;
  const n = sizeOf(outShape);
  if (ctx.needsWide(n, x.storage.size)) {
    withLimbs(c, [...walkConstantNames(['a']), 'base']);
    return ctx.run(`${name}/wide${rank}`, wideGather(rank), c, n, [x.storage], x.dtype, 'limbs');
  }
  return ctx.run(name, STRIDED_GATHER_SOURCE, c, n, [x.storage], x.dtype);
}
