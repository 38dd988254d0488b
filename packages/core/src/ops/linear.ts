/** F.linear: x [..., in] @ weight[out, in]^T + bias[out], on the optional fused kernel or matmul. */
import { formatShape } from '../backend/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { output } from './util.js';
import { reshape } from './layout.js';
import { matmulRaw } from './matmul.js';
import { sum } from './reduce.js';
import { op, recordGrad, type OpSpec } from './op.js';
import { checkProductDtypes } from './int-matmul.js';

// float32, or int32 throughout (PyTorch's integer linear; composed exactly through matmulRaw).
const LINEAR: OpSpec = { name: 'linear' };

export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const b = bias ?? null;
  const inputs = b === null ? [x, weight] : [x, weight, b];
  return op(LINEAR, inputs, (backend) => {
    if (weight.ndim !== 2)
      throw new Error(`linear: weight must be 2-D [out_features, in_features], got ${formatShape(weight.shape)}`);
    const inF = weight.shape[1]!;
    const outF = weight.shape[0]!;
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
      throw new Error(
        `mat1 and mat2 shapes cannot be multiplied (input ${formatShape(x.shape)} and weight.T ${inF}x${outF}): linear expects input [..., ${inF}]`,
      );
    }
    if (b !== null && (b.ndim !== 1 || b.shape[0] !== outF)) {
      throw new Error(`linear: bias must have shape [${outF}], got ${formatShape(b.shape)}`);
    }
    checkProductDtypes('linear', 'addmm_impl_cpu_', x, weight);
    if (b !== null && b.dtype !== x.dtype) {
      throw new Error(
        `linear: self and mat2 must have the same dtype: input and weight are ${x.dtype}, bias is ${b.dtype}`,
      );
    }
    const shape = [...x.shape.slice(0, -1), outF];
    // The row count spelled out: reshape cannot infer -1 when in_features or out_features is 0.
    const rows = x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
    // The fused kernel is float32-only.
    const kernel = x.dtype === 'float32' ? backend.kernels.linear : undefined;
    const out =
      kernel !== undefined
        ? output(backend, kernel(x.ref, weight.ref, b === null ? null : b.ref, shape), shape, x.dtype)
        : // Composite fallback: matmul with a transposed weight, plus bias.
          noGrad(() => {
            const mm = matmulRaw(reshape(x, [rows, inF]), weight, false, true);
            return reshape(b === null ? mm : mm.add(b), shape);
          });
    const xShape = x.shape;
    const [needX, needW, needB] = [x.requiresGrad, weight.requiresGrad, b?.requiresGrad ?? false];
    return recordGrad(out, inputs, [x, weight], (g, [sx, sw]) => {
      const g2 = reshape(g, [rows, outF]);
      const x2 = reshape(sx!, [rows, inF]);
      return [
        needX ? reshape(matmulRaw(g2, sw!, false, false), xShape) : null,
        needW ? matmulRaw(g2, x2, true, false) : null,
        needB ? sum(g2, 0) : null,
      ];
    });
  });
}
