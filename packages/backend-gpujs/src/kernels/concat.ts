/**
 * concat along an axis. gpu.js kernels take a fixed argument list, so inputs are joined pairwise
 * (left fold) with a two-input kernel viewing each tensor as [outer, axisLen, inner]; the
 * intermediates are freed at once. k inputs cost k - 1 passes.
 */
import { sizeOf, type Shape } from '@flint/core/backend';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import type { GpuStorage } from '../storage.js';
import {
  addWide,
  divmod,
  divmodWide,
  ltConstWide,
  madWide,
  subConstWide,
  threadWide,
  withLimbs,
  zeroWide,
} from '../wide.js';

const source = `function(a, b) {
${divmod('this.thread.x', 'this.constants.LI', 'o', 'r')}
${divmod('r', 'this.constants.I', 'l', 'j')}
if (l < this.constants.A) { return a[(o * this.constants.A + l) * this.constants.I + j]; }
return b[(o * this.constants.B + (l - this.constants.A)) * this.constants.I + j];
}`;

const wideSource = `function(a, b) {
${threadWide('i')}
${divmodWide('i', 'LI', 'o', 'r', 'or')}
${divmodWide('r', 'I', 'l', 'j', 'lj')}
if (${ltConstWide('l', 'A')}) {
  ${zeroWide('pa')}
  ${madWide('pa', 'o', 'AI', 'oa')}
  ${madWide('pa', 'l', 'I', 'la')}
  ${addWide('pa', 'j')}
  return a[paH][paL];
}
${subConstWide('l', 'A')}
${zeroWide('pb')}
${madWide('pb', 'o', 'BI', 'ob')}
${madWide('pb', 'l', 'I', 'lb')}
${addWide('pb', 'j')}
return b[pbH][pbL];
}`;

export const concat =
  (ctx: GpuContext) =>
  (xs: readonly Ref[], axis: number, outShape: Shape): GpuStorage => {
    const outer = sizeOf(outShape.slice(0, axis));
    const inner = sizeOf(outShape.slice(axis + 1));
    const parts = xs.filter((x) => sizeOf(x.shape) > 0);
    const dtype = xs[0]!.dtype;
    if (sizeOf(outShape) === 0 || parts.length === 0) return ctx.empty(dtype);
    if (parts.length === 1) return ctx.run('copy', COPY_SOURCE, {}, sizeOf(outShape), [parts[0]!.storage], dtype);
    let acc: GpuStorage = parts[0]!.storage;
    let accLen = parts[0]!.shape[axis]!;
    for (let p = 1; p < parts.length; p++) {
      const b = parts[p]!;
      const bLen = b.shape[axis]!;
      const L = accLen + bLen;
      const c = { A: accLen, B: bLen, L, I: inner, LI: L * inner, AI: accLen * inner, BI: bLen * inner };
      const n = outer * L * inner;
      const args = [acc, b.storage];
      const next = ctx.needsWide(n)
        ? ctx.run('concat/wide', wideSource, withLimbs(c, Object.keys(c)), n, args, dtype, 'limbs')
        : ctx.run('concat', source, c, n, args, dtype);
      if (p > 1) ctx.dispose(acc);
      acc = next;
      accLen = L;
    }
    return acc;
  };

export const COPY_SOURCE = `function(a) { return a[this.thread.x]; }`;
