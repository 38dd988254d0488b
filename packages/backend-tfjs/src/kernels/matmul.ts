/**
 * Batched matmul with optional transposes and broadcast batch dims: native BatchMatMul (on wasm,
 * transposes are rewritten away; a long K with a small output is chunked for accuracy: see
 * matmulUtil.ts). Batch broadcasting is done here: tfjs-wasm 4.22 returns too few
 * batches when the operands' batch ranks differ (measured), so operands are reshaped to 3-D and,
 * where their batch dims differ, broadcast (Tile) first. [..., M, K] x [K, N] folds the batch into M.
 * K = 0 gives zeros.
 */
import type { Shape } from '@flint/core/backend';
import { sizeOf } from '@flint/core/backend';
import { tf, type TfTensor } from '../tf.js';
import { filled, isEmpty, run, sameShape, view, type Ref } from '../util.js';
import { matMulAccurate } from './matmulUtil.js';

export function matmul(a: Ref, b: Ref, transposeA: boolean, transposeB: boolean, outShape: Shape): TfTensor {
  return run([a, b], () => {
    const ra = a.shape.length;
    const rb = b.shape.length;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    if (isEmpty(outShape) || k === 0) return filled(outShape, a.dtype, 0);
    let ta = view(a);
    let tb = view(b);
    // tfjs's BatchMatMul is float32-only on wasm; int32 goes through float32 (exact below 2^24).
    const intOut = a.dtype !== 'float32';
    if (intOut) {
      ta = tf.cast(ta, 'float32');
      tb = tf.cast(tb, 'float32');
    }
    const batch = outShape.slice(0, -2);
    const m = outShape[outShape.length - 2]!;
    const n = outShape[outShape.length - 1]!;
    let out: TfTensor;
    if (rb === 2 && !transposeA) {
      out = matMulAccurate(tf.reshape(ta, [-1, k]), tb, false, transposeB);
    } else {
      const nb = sizeOf(batch);
      const a3 = to3d(ta, batch, ra);
      const b3 = to3d(tb, batch, rb);
      out = matMulAccurate(a3, b3, transposeA, transposeB);
      if (out.shape[0] !== nb) throw new Error(`tfjs matMul returned ${out.shape[0]} batches, expected ${nb}`);
    }
    out = tf.reshape(out, [...batch, m, n]);
    return intOut ? tf.cast(out, a.dtype === 'bool' ? 'int32' : a.dtype) : out;
  });
}

/** [...b, R, C] -> [prod(batch), R, C], broadcasting the batch dims to `batch` when they differ. */
function to3d(t: TfTensor, batch: readonly number[], rank: number): TfTensor {
  const mat = t.shape.slice(rank - 2);
  const own = t.shape.slice(0, rank - 2);
  let x = t;
  if (!sameShape(own, batch)) {
    const lead = new Array<number>(batch.length - own.length).fill(1);
    x = tf.broadcastTo(tf.reshape(x, [...lead, ...own, ...mat]), [...batch, ...mat]);
  }
  return tf.reshape(x, [sizeOf(batch), ...mat]);
}
