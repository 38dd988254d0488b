/** linear (fused): x [..., in] @ weight[out, in]^T + bias, the bias added in the GEMM's store. */
import type { Shape } from '@flint/core/backend';
import type { Ref, WebGpuContext } from '../context.js';
import { gemm, matmulSpec } from '../gemm.js';

export const linear = (ctx: WebGpuContext) => (x: Ref, weight: Ref, bias: Ref | null, outShape: Shape) => {
  const inF = weight.shape[1]!;
  const rows = outShape.slice(0, -1).reduce((p, d) => p * d, 1);
  const x2: Ref = { storage: x.storage, shape: [rows, inF], dtype: x.dtype };
  const spec = matmulSpec(x2, weight, false, true, [rows, weight.shape[0]!]);
  return gemm(ctx.device, bias === null ? spec : { ...spec, bias: bias.storage });
};
