/** torch.matmul semantics (1-D promotion, batch broadcasting) on the batched kernel, with gradients. */
import { formatShape } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, output } from './util.js';
import { op, recordGrad, type OpSpec } from './op.js';
import { reshape } from './layout.js';
import { sumToShape } from './reduce.js';
import { checkProductDtypes, intMatmul } from './int-matmul.js';

/**
 * a @ b with optional transposes of the last two dims, both operands rank >= 2. No 1-D handling.
 * Differentiable, with gradients that are matmulRaw again: matmul's and linear's backward use it,
 * so under createGraph they are recorded too (Hessian-vector products of an MLP).
 */
export function matmulRaw(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return op('matmul', () => {
    const m = a.shape[a.ndim - (transA ? 1 : 2)]!;
    const k = a.shape[a.ndim - (transA ? 2 : 1)]!;
    const k2 = b.shape[b.ndim - (transB ? 1 : 2)]!;
    const n = b.shape[b.ndim - (transB ? 2 : 1)]!;
    if (k !== k2) {
      throw new Error(
        `matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${m}x${k} and ${k2}x${n})`,
      );
    }
    const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
    const shape = [...batch, m, n];
    if (a.dtype !== 'float32' || b.dtype !== 'float32') {
      // The kernel is float32-only: integer products are composed on it, exactly (int-matmul.ts).
      checkProductDtypes('matmul', 'addmm_impl_cpu_', a, b);
      return intMatmul(a, b, transA, transB);
    }
    const out = output(a.backend, a.backend.kernels.matmul(a.ref, b.ref, transA, transB, shape), shape, a.dtype);
    const aShape = a.shape;
    const bShape = b.shape;
    const needA = a.requiresGrad;
    const needB = b.requiresGrad;
    // dA needs B and dB needs A: save only what the wanted gradients read.
    const saveList = [...(needB ? [a] : []), ...(needA ? [b] : [])];
    return recordGrad(out, [a, b], saveList, (g, saved) => {
      const sa = needB ? saved[0]! : null;
      const sb = needA ? saved[needB ? 1 : 0]! : null;
      // C = op(A) op(B): each gradient is one more product (summed over broadcast batch dims).
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (sb !== null) {
        if (!transA) ga = matmulRaw(g, sb, false, !transB);
        else ga = transB ? matmulRaw(sb, g, true, true) : matmulRaw(sb, g, false, true);
      }
      if (sa !== null) {
        if (!transB) gb = transA ? matmulRaw(sa, g, false, false) : matmulRaw(sa, g, true, false);
        else gb = transA ? matmulRaw(g, sa, true, true) : matmulRaw(g, sa, true, false);
      }
      return [ga === null ? null : sumToShape(ga, aShape), gb === null ? null : sumToShape(gb, bShape)];
    });
  });
}

// float32 or int32 (same dtype, checked in matmulOf): no dtype requirement here.
const MATMUL: OpSpec = { name: 'matmul' };

export function matmul(x: Tensor, y: Tensor): Tensor {
  return op(MATMUL, [x, y], () => matmulOf(x, y));
}

function matmulOf(x: Tensor, y: Tensor): Tensor {
  if (x.ndim === 0 || y.ndim === 0) {
    throw new Error(`both arguments to matmul need to be at least 1D, but they are ${x.ndim}D and ${y.ndim}D`);
  }
  checkProductDtypes('matmul', x.ndim === 1 && y.ndim === 1 ? 'dot' : 'addmm_impl_cpu_', x, y);
  // 1-D operands: prepend/append a unit dim, drop it afterwards (torch.matmul).
  const a = x.ndim === 1 ? reshape(x, [1, x.shape[0]!]) : x;
  const b = y.ndim === 1 ? reshape(y, [y.shape[0]!, 1]) : y;
  if (a.shape[a.ndim - 1] !== b.shape[b.ndim - 2]) {
    throw new Error(
      `mat1 and mat2 shapes cannot be multiplied (${a.shape.slice(-2).join('x')} and ${b.shape.slice(-2).join('x')}): matmul of ${formatShape(x.shape)} and ${formatShape(y.shape)}`,
    );
  }
  const result = matmulRaw(a, b, false, false);
  if (x.ndim !== 1 && y.ndim !== 1) return result;
  const shape = [...result.shape];
  if (y.ndim === 1) shape.pop();
  if (x.ndim === 1) shape.splice(shape.length - (y.ndim === 1 ? 1 : 2), 1);
  return reshape(result, shape);
}
