/**
 * torch.scatter / scatter_reduce (out of place), composed gather-style from tf ops (tfjs has no
 * max/min/product scatter and ScatterNd sums duplicates): with the axis moved last, every target
 * position compares itself with all J index values along that axis ([..., A, J] matches), folds the
 * matching src values with a native reduction, and the block that index covers replaces x's. An
 * overwrite takes the last match in index order (the CPU kernel's rule). Memory: |block| · J.
 */
import type { ScatterReduction } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { asLayoutDtype, iota, isEmpty, restoreDtype, run, view, type Ref } from '../util.js';
import { propagateNaN } from './nanUtil.js';

/** The identity of each fold, for non-matching entries (int32 has no infinities). */
function identity(reduce: ScatterReduction, dtype: 'float32' | 'int32'): number {
  if (reduce === 'prod') return 1;
  if (reduce === 'amax') return dtype === 'float32' ? Number.NEGATIVE_INFINITY : -2147483648;
  if (reduce === 'amin') return dtype === 'float32' ? Number.POSITIVE_INFINITY : 2147483647;
  return 0;
}

export function scatter(
  x: Ref,
  axis: number,
  index: Ref,
  src: Ref,
  reduce: ScatterReduction,
  includeSelf: boolean,
): TfTensor {
  return run([x, index, src], () => {
    const base = asLayoutDtype(view(x));
    if (isEmpty(index.shape) || isEmpty(x.shape)) return restoreDtype(tf.clone(base), x.dtype);
    const r = x.shape.length;
    const dtype = base.dtype === 'float32' ? 'float32' : 'int32';
    const toLast = [...[...Array(r).keys()].filter((d) => d !== axis), axis];
    const fromLast = toLast.map((_, d) => toLast.indexOf(d));
    const a = x.shape[axis]!;
    const j = index.shape[axis]!;
    // The block of x that index reaches: index's extent off the axis, all of the axis.
    const block = x.shape.map((d, k) => (k === axis ? d : index.shape[k]!));
    const covered = block.every((d, k) => d === x.shape[k]);
    const xBlock = covered ? base : tf.slice(base, new Array(r).fill(0), block);
    const xLast = tf.transpose(xBlock, toLast); // [..., A]
    const idxLast = tf.expandDims(tf.transpose(view(index), toLast), -2); // [..., 1, J]
    const srcLast = tf.expandDims(tf.transpose(asLayoutDtype(view(src)), toLast), -2);
    const matchShape = [...xLast.shape, j];
    const match = tf.equal(idxLast, tf.reshape(iota(a), [a, 1])); // [..., A, J]
    const srcFull = tf.broadcastTo(srcLast, matchShape);
    const hit = tf.greater(tf.sum(tf.cast(match, 'int32'), -1), tf.scalar(0, 'int32'));
    let result: TfTensor;
    if (reduce === 'none') {
      const last = tf.max(tf.where(match, tf.broadcastTo(iota(j), matchShape), tf.scalar(-1, 'int32')), -1);
      const chosen = tf.equal(tf.reshape(iota(j), [j]), tf.expandDims(last, -1));
      const value = tf.sum(tf.where(chosen, srcFull, tf.zerosLike(srcFull)), -1);
      result = tf.where(hit, value, xLast);
    } else {
      const masked = tf.where(match, srcFull, tf.fill(matchShape, identity(reduce, dtype), dtype));
      let folded: TfTensor;
      if (reduce === 'sum') folded = tf.sum(masked, -1);
      else if (reduce === 'prod') folded = tf.prod(masked, -1);
      else folded = reduce === 'amax' ? tf.max(masked, -1) : tf.min(masked, -1);
      if (includeSelf) {
        if (reduce === 'sum') folded = tf.add(xLast, folded);
        else if (reduce === 'prod') folded = tf.mul(xLast, folded);
        else {
          const both = reduce === 'amax' ? tf.maximum(xLast, folded) : tf.minimum(xLast, folded);
          folded = propagateNaN(xLast, folded, both);
        }
      }
      result = tf.where(hit, tf.cast(folded, dtype), xLast);
    }
    let out = tf.transpose(result, fromLast);
    if (!covered) {
      const pads = block.map((d, k) => [0, x.shape[k]! - d] as [number, number]);
      const inBlock = tf.cast(tf.pad(tf.ones(block, 'int32'), pads), 'bool');
      out = tf.where(inBlock, tf.pad(out, pads), base);
    }
    return restoreDtype(out, x.dtype);
  });
}
