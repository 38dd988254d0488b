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
import { accurateSum } from './summationUtil.js';

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

/**
 * Products over a long K with a small output are chunked for accuracy: tfjs-wasm's BatchMatMul
 * accumulates in float32 along K, so its error grows with K (worst measured relative error for
 * rows of one positive value: 2.5e-7 at K = 16, 9.9e-7 at 64, 7.6e-6 at 512; a 1x1e6 @ 1e6x1 product
 * of uniform data: 1.75e-4), and tfjs's cpu engine adds its 48-element float64 block sums in float32
 * (2.1e-6 at K = 1e6). Above MATMUL_DIRECT_MAX_K the K axis is cut into chunks (one batched product
 * gives every chunk's partial [M, N]) and the partials are added with `accurateSum`.
 * This only pays where the partials are no larger than the operands (chunks * M * N <= (M + N) * K:
 * matrix-vector and dot products, thin outputs). For wide outputs (an MLP layer) the partials would
 * be many times the product's own traffic: measured on wasm, 64x2048 @ 2048x512 took 255 ms chunked
 * against 7 ms native, so those stay one native kernel with its float32 accumulation.
 */
export const MATMUL_DIRECT_MAX_K = 1024;

/**
 * Chunk length along K: short enough for the engine's own accumulation to stay accurate (tfjs's cpu
 * engine adds 48-element float64 block sums in float32: 16 of them per chunk). A divisor of K within
 * a factor 2 of it is taken when there is one, which saves the separate product of K's tail.
 */
function matMulChunk(k: number): number {
  const target = currentEngine() === 'cpu' ? 16 * 48 : 16;
  for (let c = target; c * 2 > target; c--) if (k % c === 0) return c;
  return target;
}

/**
 * a @ b (rank 2 or 3, batch dims equal) with optional transposes, chunked along a long K when the
 * output is small (see above). Returns the rank of the inputs.
 */
export function matMulAccurate(a: TfTensor, b: TfTensor, transposeA: boolean, transposeB: boolean): TfTensor {
  const rank = a.rank;
  const m = transposeA ? a.shape[rank - 1]! : a.shape[rank - 2]!;
  const k = transposeA ? a.shape[rank - 2]! : a.shape[rank - 1]!;
  const n = transposeB ? b.shape[rank - 2]! : b.shape[rank - 1]!;
  const chunk = matMulChunk(k);
  const chunks = Math.floor(k / chunk);
  if (k <= MATMUL_DIRECT_MAX_K || chunks * m * n > (m + n) * k) return matMulFast(a, b, transposeA, transposeB);
  const a3 = rank === 2 ? tf.expandDims(a, 0) : a;
  const b3 = rank === 2 ? tf.expandDims(b, 0) : b;
  const nb = a3.shape[0]!;
  const body = chunks * chunk;
  const tail = k - body;
  // An operand's K range [from, from + length): K is axis 1 when it comes first in the matrix, else 2.
  const rangeOfK = (t: TfTensor, kFirst: boolean, from: number, length: number): TfTensor =>
    kFirst ? tf.slice(t, [0, from, 0], [-1, length, -1]) : tf.slice(t, [0, 0, from], [-1, -1, length]);
  // K's body split into [chunks, chunk] and the chunks moved next to the batch: [nb * chunks, ., .].
  const split = (t: TfTensor, kFirst: boolean, other: number): TfTensor => {
    const x = tail > 0 ? rangeOfK(t, kFirst, 0, body) : t;
    if (kFirst) return tf.reshape(x, [nb * chunks, chunk, other]);
    // With a single row (a vector) the chunks are already contiguous: no transpose.
    const moved = other === 1 ? x : tf.transpose(tf.reshape(x, [nb, other, chunks, chunk]), [0, 2, 1, 3]);
    return tf.reshape(moved, [nb * chunks, other, chunk]);
  };
  const partials = matMulFast(split(a3, transposeA, m), split(b3, !transposeB, n), transposeA, transposeB);
  let out = accurateSum(tf.reshape(partials, [nb, chunks, m * n]), [1]);
  if (tail > 0) {
    const last = matMulFast(
      rangeOfK(a3, transposeA, body, tail),
      rangeOfK(b3, !transposeB, body, tail),
      transposeA,
      transposeB,
    );
    out = tf.add(out, tf.reshape(last, [nb, m * n]));
  }
  return tf.reshape(out, rank === 2 ? [m, n] : [nb, m, n]);
}
