/**
 * Batched matmul with optional transposes and broadcast batch dims. One thread per output
 * element; the K loop is tiled by 4 (four independent products per iteration, then a remainder
 * loop). Transposes are strides (asM/asK, bsK/bsN), batch broadcasting is stride 0, so one source
 * serves every layout.
 */
import { broadcastStrides, sizeOf, stridesOf, type Shape } from '@flint/core/backend';
import { checkLoopBudget, coalesce, genOffsets, padConstants } from '../codegen.js';
import type { GpuContext } from '../context.js';
import type { Ref } from '../elementwise.js';

const source = `function(a, b) {
const i = this.thread.x;
const qn = Math.floor((i + 0.5) / this.constants.N);
const n = i - qn * this.constants.N;
const qm = Math.floor((qn + 0.5) / this.constants.M);
const m = qn - qm * this.constants.M;
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
    checkLoopBudget(ctx.engine, 'matmul', Math.ceil(K / 4) + 3, `K = ${K}`);
    const c: Record<string, number> = { M, N, asM, asK, bsK, bsN, KT: Math.floor(K / 4), KR: K % 4 };
    padConstants('d', merged.dims, 1, c);
    padConstants('p', merged.strides[0]!, 0, c);
    padConstants('q', merged.strides[1]!, 0, c);
    return ctx.run('matmul', source, c, n, [a.storage, b.storage], a.dtype);
  };
