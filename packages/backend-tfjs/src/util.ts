/** Helpers shared by the kernels: views of core's TensorRefs as tf.Tensors, scoping, bool handling. */
import type { DType, Shape, TensorRef } from '@flint/core/backend';
import { sizeOf } from '@flint/core/backend';
import { tf, type TfTensor } from './tf.js';
import { assertReady } from './engine.js';

export type Ref = TensorRef<TfTensor>;

/**
 * The storage seen with the shape core gives it. Core's reshape/view is metadata-only, so the
 * storage's own tf shape may differ from `ref.shape`; `tf.reshape` shares the data (no copy).
 * Call inside `run` so the view handle is disposed.
 */
export function view(ref: Ref): TfTensor {
  const t = ref.storage;
  if (sameShape(t.shape, ref.shape)) return t;
  return tf.reshape(t, ref.shape as number[]);
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Run one kernel body: every tf.Tensor created inside is disposed except the result. A kernel must
 * return new storage, never one of its inputs: if tfjs handed an input back (an identity op), it is
 * cloned (a clone shares the data, ref-counted, so disposing either is safe).
 */
export function run(inputs: readonly Ref[], fn: () => TfTensor): TfTensor {
  assertReady();
  const out = tf.tidy(fn);
  for (const r of inputs) if (r.storage === out) return tf.clone(out);
  return out;
}

/** A well-formed bool tensor (0/1) from any numeric tensor: x != 0 (NaN -> true, as torch). */
export function toBool(x: TfTensor): TfTensor {
  if (x.dtype === 'bool') return x;
  return tf.notEqual(x, tf.scalar(0, x.dtype));
}

/**
 * tfjs's wasm engine mishandles bool in some layout kernels (StridedSlice returns float32 garbage,
 * Select with bool operands reads out of bounds, Cast to bool does not normalise to 0/1). Layout
 * kernels therefore move bool data as int32 and convert back with `x != 0`.
 */
export function asLayoutDtype(x: TfTensor): TfTensor {
  return x.dtype === 'bool' ? tf.cast(x, 'int32') : x;
}

export function restoreDtype(x: TfTensor, dtype: DType): TfTensor {
  if (dtype === 'bool') return toBool(x);
  return x.dtype === dtype ? x : tf.cast(x, dtype);
}

export function isEmpty(shape: Shape): boolean {
  return sizeOf(shape) === 0;
}

/** A tensor of `shape` filled with `value` (the kernels' answer for empty or degenerate cases). */
export function filled(shape: Shape, dtype: DType, value: number): TfTensor {
  const v = dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
  return tf.fill(shape as number[], v, dtype);
}

/** The name of the tfjs engine currently running kernels ('tensorflow', 'wasm', 'cpu'). */
export function currentEngine(): string {
  return tf.getBackend();
}

/** Whether the running tfjs engine registers `kernelName` (feature detection, not engine names). */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/** 1-D int32 tensor 0..n-1 scaled by `step` (tf.range in int32). */
export function iota(n: number, step = 1): TfTensor {
  if (n === 0) return tf.tensor1d([], 'int32');
  if (step === 0) return tf.zeros([n], 'int32');
  return tf.range(0, n * step, step, 'int32');
}
