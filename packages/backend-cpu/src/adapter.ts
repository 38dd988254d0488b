/**
 * Adapters from the pure implementations (typed arrays + shapes, src/impl) to kernels on
 * `TensorRef<CpuStorage>`: unwrap the typed arrays, call the implementation, wrap its result in a
 * new, counted storage.
 */
import type {
  ArgReduceKernel,
  BinaryKernel,
  DataArray,
  ReduceKernel,
  Shape,
  TensorRef,
  UnaryKernel,
} from '@flint/core/backend';
import { dtypeOf } from './impl/util.js';
import { CpuStorage } from './storage.js';

export type Ref = TensorRef<CpuStorage>;

/** A new storage owning `data` (its dtype follows the array type). */
export function wrap(data: DataArray): CpuStorage {
  return new CpuStorage(data, dtypeOf(data));
}

/** The float32 data of a ref core only passes as float32 (float-only kernels, conv, pooling). */
export const f32 = (x: Ref): Float32Array => x.storage.data as Float32Array;
/** The int32 data of an index ref. */
export const i32 = (x: Ref): Int32Array => x.storage.data as Int32Array;

/** Unary op defined for every numeric dtype it may see (same dtype out). */
export function unaryAny(impl: (x: DataArray) => DataArray): UnaryKernel<CpuStorage> {
  return (x) => wrap(impl(x.storage.data));
}

/** Unary float op (core only calls it with float32). */
export function unaryFloat(impl: (x: Float32Array) => Float32Array): UnaryKernel<CpuStorage> {
  return (x) => wrap(impl(f32(x)));
}

/** Binary op with NumPy broadcasting to `outShape`. */
export function binary(
  impl: (a: DataArray, aShape: Shape, b: DataArray, bShape: Shape, outShape: Shape) => DataArray,
): BinaryKernel<CpuStorage> {
  return (a, b, outShape) => wrap(impl(a.storage.data, a.shape, b.storage.data, b.shape, outShape));
}

/** Reduction over a set of axes (removed from the result). */
export function reduction(
  impl: (x: DataArray, shape: Shape, axes: readonly number[]) => DataArray,
): ReduceKernel<CpuStorage> {
  return (x, axes) => wrap(impl(x.storage.data, x.shape, axes));
}

/** Index of the extreme along one axis (int32 out). */
export function argReduction(
  impl: (x: DataArray, shape: Shape, axis: number) => Int32Array,
): ArgReduceKernel<CpuStorage> {
  return (x, axis) => wrap(impl(x.storage.data, x.shape, axis));
}
