/** Moving one axis last and back (the line-wise kernels: sort, cumulative). */
import { tf, type TfTensor } from '../tf.js';

/** x with `axis` moved last, as [rows, n], and the permutation that did it. */
export function linesOf(x: TfTensor, axis: number): { lines: TfTensor; perm: number[]; moved: number[] } {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()].filter((d) => d !== axis).concat(axis);
  const moved = perm.map((d) => x.shape[d]!);
  const t = axis === rank - 1 ? x : tf.transpose(x, perm);
  return { lines: tf.reshape(t, [-1, x.shape[axis]!]), perm, moved };
}

/** The inverse of linesOf: [rows, n] back to x's layout. */
export function unlines(lines: TfTensor, perm: readonly number[], moved: readonly number[]): TfTensor {
  const t = tf.reshape(lines, moved as number[]);
  if (perm[perm.length - 1] === perm.length - 1) return t;
  const inverse = new Array<number>(perm.length);
  perm.forEach((d, i) => {
    inverse[d] = i;
  });
  return tf.transpose(t, inverse);
}
