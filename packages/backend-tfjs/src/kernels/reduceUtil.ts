/** Shared by the reduction kernels: output shape and the empty / no-axes cases tfjs gets wrong. */
import type { Shape } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, view, type Ref } from '../util.js';

export function reducedShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/**
 * Apply a tfjs reduction with PyTorch's edge cases: no axes -> a copy; an empty reduced extent ->
 * `emptyValue` (wasm's Sum/Prod return uninitialised memory there). Bool inputs are reduced as
 * int32 and converted back to bool when `boolOut`.
 */
export function reduce(
  x: Ref,
  axes: readonly number[],
  op: (t: TfTensor, axes: number[]) => TfTensor,
  emptyValue: number | null,
  boolOut: boolean,
): TfTensor {
  const outShape = reducedShape(x.shape, axes);
  const outDtype = x.dtype === 'bool' && !boolOut ? 'int32' : x.dtype;
  if (axes.length === 0) return outDtype === x.dtype ? tf.clone(view(x)) : tf.cast(view(x), outDtype);
  const extent = axes.reduce((n, a) => n * x.shape[a]!, 1);
  if (extent === 0 || outShape.some((d) => d === 0)) {
    return filled(outShape, outDtype, emptyValue ?? 0);
  }
  const t = x.dtype === 'bool' ? tf.cast(view(x), 'int32') : view(x);
  const r = tf.reshape(op(t, [...axes]), outShape);
  if (outDtype === 'bool') return tf.notEqual(r, tf.scalar(0, 'int32'));
  return r;
}
