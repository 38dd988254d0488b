/**
 * Adapters from the pure implementations (typed arrays + shapes, src/impl) to kernels on
 * `TensorRef<CpuStorage>`: unwrap the typed arrays, wrap the result in a new, counted storage.
 */
import type { BinaryKernel, DataArray, Shape, TensorRef, UnaryKernel } from '@flint/core/backend';
import { CpuStorage } from '../storage.js';
import { dtypeOf } from '../impl/util.js';

export type Ref = TensorRef<CpuStorage>;

/** A new storage owning `data` (its dtype follows the array type). */
export function wrap(data: DataArray): CpuStorage {
  return new CpuStorage(data, dtypeOf(data));
}

export const f32 = (x: Ref): Float32Array => x.storage.data as Float32Array;
export const i32 = (x: Ref): Int32Array => x.storage.data as Int32Array;

/** Unary op defined for every numeric dtype it may see (same dtype out). */
export function unaryAny(impl: (x: DataArray) => DataArray): UnaryKernel<CpuStorage> {
  return (x) => wrap(impl(x.storage.data));
}

/** Unary float op (core only calls it with float32). */
export function unaryFloat(impl: (x: Float32Array) => Float32Array): UnaryKernel<CpuStorage> {
  return (x) => wrap(impl(f32(x)));
}

export function binary(
  impl: (a: DataArray, aShape: Shape, b: DataArray, bShape: Shape, outShape: Shape) => DataArray,
): BinaryKernel<CpuStorage> {
  return (a, b, outShape) => wrap(impl(a.storage.data, a.shape, b.storage.data, b.shape, outShape));
}
