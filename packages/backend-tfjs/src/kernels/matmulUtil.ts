/**
 * Plain matrix products for tfjs's wasm engine. tfjs-wasm 4.22 multiplies transposed operands
 * (transposeA / transposeB) about 10x slower than plain ones — 22 ms vs 1.8 ms for a
 * 64x784 @ (512x784)^T product, measured here — while tfjs's cpu engine does not care. So on wasm
 * a transposed product is rewritten with the identities A^T = transpose(A) and
 * A B^T = (B A^T)^T, whichever materialises fewer transposed elements: for x @ W^T (a Linear
 * layer) that is (W @ x^T)^T, which transposes the small activations instead of the weight.
 */
import { tf, type TfTensor } from '../tf.js';
import { currentEngine } from '../util.js';

function swapLast(t: TfTensor): TfTensor {
  const r = t.rank;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(t, perm);
}

/** a @ b with optional transposes of the last two dims (same rank, batch dims already equal). */
export function matMulFast(a: TfTensor, b: TfTensor, transposeA: boolean, transposeB: boolean): TfTensor {
  if ((!transposeA && !transposeB) || currentEngine() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  const r = a.rank;
  const m = transposeA ? a.shape[r - 1]! : a.shape[r - 2]!;
  const k = transposeA ? a.shape[r - 2]! : a.shape[r - 1]!;
  const n = transposeB ? b.shape[r - 2]! : b.shape[r - 1]!;
  const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0);
  const viaResult = m * n + (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k);
  if (direct <= viaResult) return tf.matMul(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b);
  // C = A B  <=>  C^T = B^T A^T; a transposed operand is already its own transpose's storage.
  return swapLast(tf.matMul(transposeB ? b : swapLast(b), transposeA ? a : swapLast(a)));
}
