/**
 * The Tensor class, bound late. tensor.ts defines Tensor with PyTorch's methods, which call the
 * ops; the ops (and tidy scopes) in turn make and recognise Tensors. They reach the class through
 * this module, which tensor.ts fills in once as it loads, so imports point one way
 * (tensor.ts -> ops -> binding.ts) and no module sees a half-initialised class.
 */
import type { Backend, DType, Shape } from '../backend/kernels.js';
import type { Tensor } from './tensor.js';

export interface TensorClass {
  new (...args: never[]): Tensor;
  _fromHandle(backend: Backend<unknown>, handle: unknown, shape: Shape, dtype: DType): Tensor;
}

let TensorCtor: TensorClass | null = null;

/** Called by tensor.ts once it has defined the class. */
export function bindTensorClass(cls: TensorClass): void {
  TensorCtor = cls;
}

function tensorClass(): TensorClass {
  if (TensorCtor === null) throw new Error('internal: @flint/core used before tensor/tensor.ts was loaded');
  return TensorCtor;
}

/** A Tensor over a kernel's output handle. */
export function tensorFromHandle(backend: Backend<unknown>, handle: unknown, shape: Shape, dtype: DType): Tensor {
  return tensorClass()._fromHandle(backend, handle, shape, dtype);
}

export function isTensor(value: unknown): value is Tensor {
  return TensorCtor !== null && value instanceof TensorCtor;
}
