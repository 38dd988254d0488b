/**
 * Inclusive scans along one axis, composed as a Hillis-Steele scan: log2(n) passes, each combining
 * every element with the one `shift` before it (shifted in with the operator's identity). A sum so
 * formed is a tree of additions (error growing with log n, not n); max/min propagate NaN explicitly
 * (tfjs-wasm's Maximum/Minimum drop a NaN operand).
 */
import type { ScanOp } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, run, view, type Ref } from '../util.js';
import { linesOf, unlines } from './axisUtil.js';
import { propagateNaN } from './nanUtil.js';

const INT_IDENTITY: Record<ScanOp, number> = { sum: 0, prod: 1, max: -2147483648, min: 2147483647 };
const FLOAT_IDENTITY: Record<ScanOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

function combine(op: ScanOp, a: TfTensor, b: TfTensor): TfTensor {
  switch (op) {
    case 'sum':
      return tf.add(a, b);
    case 'prod':
      return tf.mul(a, b);
    case 'max':
      return propagateNaN(a, b, tf.maximum(a, b));
    case 'min':
      return propagateNaN(a, b, tf.minimum(a, b));
  }
}

export function cumulative(x: Ref, axis: number, op: ScanOp): TfTensor {
  return run([x], () => {
    if (isEmpty(x.shape)) return filled(x.shape, x.dtype, 0);
    const { lines, perm, moved } = linesOf(view(x), axis);
    const [rows, n] = lines.shape as [number, number];
    const identity = (lines.dtype === 'int32' ? INT_IDENTITY : FLOAT_IDENTITY)[op];
    let y = lines;
    for (let shift = 1; shift < n; shift *= 2) {
      const head = tf.fill([rows, shift], identity, lines.dtype);
      const before = tf.concat([head, tf.slice(y, [0, 0], [rows, n - shift])], 1);
      y = combine(op, y, before);
    }
    return unlines(y, perm, moved);
  });
}
