/** Helpers shared by the ops: device checks, scalar promotion, kernel outputs. */
import type { Backend, DType, Shape } from '../backend/kernels.js';
import { formatShape, tryBroadcastShapes } from '../backend/shape.js';
import { getBackend } from '../backend/registry.js';
import type { Tensor, TensorOrScalar } from '../tensor/tensor.js';
import { tensorFromHandle } from '../tensor/binding.js';

/** The common device of `tensors`, or PyTorch's error. */
export function commonBackend(op: string, tensors: readonly Tensor[]): Backend<unknown> {
  const first = tensors[0]!.backend;
  for (const t of tensors) {
    if (t.backend !== first) {
      throw new Error(
        `${op}: Expected all tensors to be on the same device, but found at least two devices, ${first.name} and ${t.backend.name}!`,
      );
    }
  }
  return first;
}

export function output(backend: Backend<unknown>, handle: unknown, shape: Shape, dtype: DType): Tensor {
  return tensorFromHandle(backend, handle, shape, dtype);
}

/** A constant tensor on `backend` (scalars in binary ops). */
export function constant(backend: Backend<unknown>, value: number, dtype: DType, shape: Shape = []): Tensor {
  return tensorFromHandle(backend, backend.kernels.fill(shape, dtype, value), shape, dtype);
}

const DTYPE_RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2 };

export function promoteTypes(a: DType, b: DType): DType {
  return DTYPE_RANK[a] >= DTYPE_RANK[b] ? a : b;
}

/** PyTorch's result type for tensor (op) scalar: a float scalar makes an int tensor float. */
function scalarDtype(t: Tensor, value: number): DType {
  if (t.dtype === 'float32') return 'float32';
  if (!Number.isInteger(value)) return 'float32';
  return t.dtype === 'bool' ? 'int32' : t.dtype;
}

/**
 * Bring (a, b) to tensors of one dtype on one device; numbers become constants. Call it inside an
 * op() body: the casts and constants it makes are freed with the op's scope.
 */
export function coerceOperands(op: string, a: TensorOrScalar, b: TensorOrScalar): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') {
    const backend = getBackend();
    const dt = Number.isInteger(a) && Number.isInteger(b) ? 'int32' : 'float32';
    return [constant(backend, a, dt), constant(backend, b, dt)];
  }
  if (typeof a === 'number') {
    const [bb, aa] = coerceOperands(op, b, a);
    return [aa, bb];
  }
  if (typeof b === 'number') {
    const dt = scalarDtype(a, b);
    return [a.dtype === dt ? a : castNoGrad(a, dt), constant(a.backend, b, dt)];
  }
  commonBackend(op, [a, b]);
  const dt = promoteTypes(a.dtype, b.dtype);
  return [a.dtype === dt ? a : castNoGrad(a, dt), b.dtype === dt ? b : castNoGrad(b, dt)];
}

/** Cast without recording: a cast to another dtype carries no gradient. */
export function castNoGrad(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  return output(t.backend, t.backend.kernels.cast(t.ref, dtype), t.shape, dtype);
}

export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const out = tryBroadcastShapes(a, b);
  if (out !== null) return out;
  const rank = Math.max(a.length, b.length);
  for (let i = rank - 1; i >= 0; i--) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast: the size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
  }
  throw new Error(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast`);
}

export function requireFloat(op: string, t: Tensor): void {
  if (t.dtype !== 'float32')
    throw new Error(`${op}: expected a float32 tensor, got ${t.dtype} (shape ${formatShape(t.shape)})`);
}
