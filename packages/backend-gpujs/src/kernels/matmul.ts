/**
 * Batched matmul with optional transposes and broadcast batch dims. One thread per output
 * element. Transposes are strides (asM/asK, bsK/bsN), batch broadcasting is stride 0, so one source
 * serves every layout.
 *
 * - K <= KCHUNK (and every size below 2^24): the K loop is tiled by 4 (four independent products
 *   per iteration, then a remainder loop).
 * - Longer K, or tensors past 2^24 elements: split-K. Thread (i, g) sums chunk g of K (KCHUNK
 *   products, compensated: see codegen's twoSumStep) in wide index arithmetic, and the sum kernel
 *   adds the [out, G] partials (compensated as well), so a dot product over 1e6 elements keeps
 *   about float32 precision and no thread loops past the software-GL budget.
 */
import { broadcastStrides, sizeOf, stridesOf, type Shape } from '@flint/core/backend';
import {
  MAXR,
  coalesce,
  compensatedReturn,
  genOffsets,
  memoSource,
  padConstants,
  twoSumStep,
  walkConstantNames,
} from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';
import { addConstWide, divmod, divmodWide, genOffsetsWide, madWide, threadWide, withLimbs } from '../wide.js';
import { sum } from './sum.js';

/** Products per thread in the split-K kernel, and the K up to which the tiled kernel runs. */
export const KCHUNK = 1024;

const source = `function(a, b) {
${divmod('this.thread.x', 'this.constants.N', 'qn', 'n')}
${divmod('qn', 'this.constants.M', 'qm', 'm')}
${genOffsets('qm', 'd', ['p', 'q'])}
const baseA = off_p + m * this.constants.asM;
const baseB = off_q + n * this.constants.bsN;
let acc0 = 0;
let acc1 = 0;
let acc2 = 0;
let acc3 = 0;
for (let t = 0; t < this.constants.KT; t++) {
  const k = t * 4;
  acc0 = acc0 + a[baseA + k * this.constants.asK] * b[baseB + k * this.constants.bsK];
  acc1 = acc1 + a[baseA + (k + 1) * this.constants.asK] * b[baseB + (k + 1) * this.constants.bsK];
  acc2 = acc2 + a[baseA + (k + 2) * this.constants.asK] * b[baseB + (k + 2) * this.constants.bsK];
  acc3 = acc3 + a[baseA + (k + 3) * this.constants.asK] * b[baseB + (k + 3) * this.constants.bsK];
}
for (let u = 0; u < this.constants.KR; u++) {
  const k = this.constants.KT * 4 + u;
  acc0 = acc0 + a[baseA + k * this.constants.asK] * b[baseB + k * this.constants.bsK];
}
return (acc0 + acc1) + (acc2 + acc3);
}`;

const splitSources = new Map<string, string>();
/** The split-K source for `batchRank` merged batch dims: output [out, G], thread (i, g). */
const splitSource = (batchRank: number) =>
  memoSource(
    splitSources,
    String(batchRank),
    () => `function(a, b, one) {
${threadWide('t')}
${divmodWide('t', 'G', 'qg', 'g', 'g')}
${divmodWide('qg', 'N', 'qn', 'n', 'n')}
${divmodWide('qn', 'M', 'qm', 'm', 'm')}
${genOffsetsWide('qm', 'd', ['p', 'q'], MAXR, batchRank)}
${madWide('off_p', 'm', 'asM', 'am')}
${madWide('off_p', 'g', 'aStep', 'ag')}
${madWide('off_q', 'n', 'bsN', 'bn')}
${madWide('off_q', 'g', 'bStep', 'bg')}
let len = this.constants.KC;
if (gH == this.constants.lastH && gL == this.constants.lastL) { len = this.constants.KLAST; }
let acc = 0;
let comp = 0;
for (let u = 0; u < this.constants.KC; u++) {
  if (u < len) {
    const v = a[off_pH][off_pL] * b[off_qH][off_qL];
    ${twoSumStep('acc', 'comp', 'v')}
    ${addConstWide('off_p', 'asK')}
    ${addConstWide('off_q', 'bsK')}
  }
}
${compensatedReturn('acc', 'comp')}
}`,
  );

export const matmul =
  (ctx: GpuContext) => (a: Ref, b: Ref, transposeA: boolean, transposeB: boolean, outShape: Shape) => {
    const ra = a.shape.length;
    const rb = b.shape.length;
    const M = outShape[outShape.length - 2]!;
    const N = outShape[outShape.length - 1]!;
    const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const n = sizeOf(outShape);
    if (n === 0) return ctx.empty(a.dtype);
    if (K === 0) return ctx.fill(n, 0, a.dtype);
    const batch = outShape.slice(0, -2);
    const sa = stridesOf(a.shape);
    const sb = stridesOf(b.shape);
    // Per-matrix strides for (m, k) in a and (k, n) in b.
    const asM = transposeA ? sa[ra - 1]! : sa[ra - 2]!;
    const asK = transposeA ? sa[ra - 2]! : sa[ra - 1]!;
    const bsK = transposeB ? sb[rb - 1]! : sb[rb - 2]!;
    const bsN = transposeB ? sb[rb - 2]! : sb[rb - 1]!;
    // Batch strides: a's batch dims broadcast to out's batch dims, in units of a's matrices.
    const matA = a.shape[ra - 2]! * a.shape[ra - 1]!;
    const matB = b.shape[rb - 2]! * b.shape[rb - 1]!;
    const batchA = broadcastStrides(a.shape.slice(0, -2), batch).map((s) => s * matA);
    const batchB = broadcastStrides(b.shape.slice(0, -2), batch).map((s) => s * matB);
    const merged = coalesce(batch, [batchA, batchB]);
    const c: Record<string, number> = { M, N, asM, asK, bsK, bsN };
    padConstants('d', merged.dims, 1, c);
    padConstants('p', merged.strides[0]!, 0, c);
    padConstants('q', merged.strides[1]!, 0, c);
    const args = [a.storage, b.storage];
    if (K <= KCHUNK && !ctx.needsWide(n, a.storage.size, b.storage.size)) {
      c.KT = Math.floor(K / 4);
      c.KR = K % 4;
      return ctx.run('matmul', source, c, n, args, a.dtype);
    }
    const G = Math.ceil(K / KCHUNK);
    const KC = Math.min(K, KCHUNK);
    Object.assign(c, { G, KC, KLAST: K - (G - 1) * KC, last: G - 1, aStep: KC * asK, bStep: KC * bsK });
    withLimbs(c, [...walkConstantNames(['p', 'q']), 'M', 'N', 'G', 'asM', 'asK', 'bsK', 'bsN', 'last']);
    withLimbs(c, ['aStep', 'bStep']);
    const rank = merged.dims.length;
    const partial = ctx.run(`matmul/split${rank}`, splitSource(rank), c, n * G, [...args, 1], a.dtype, 'limbs');
    if (G === 1) return partial;
    const out = sum(ctx)({ storage: partial, shape: [n, G], dtype: a.dtype }, [1]);
    ctx.dispose(partial);
    return out;
  };
