/** matmul: batched matrix product with optional transposes and broadcast batch dims, on the tiled GEMM. */
import type { Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { gemm, matmulSpec } from '../gemm.js';

export const matmul =
  (ctx: WebGpuContext) => (a: Ref, b: Ref, transposeA: boolean, transposeB: boolean, outShape: Shape) =>
    gemm(ctx.device, matmulSpec(a, b, transposeA, transposeB, outShape));
