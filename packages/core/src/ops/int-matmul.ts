/**
 * int32 matrix products (matmul, mm, bmm, mv, F.linear) composed on the float32 matmul kernel,
 * exactly, with int32 wrap-around as PyTorch's integer matmul (modulo 2^32).
 *
 * A float32 product is exact only while every partial sum stays within 2^24, which int32 operands
 * pass at once (4097 * 4097 already does not fit). So each operand is split into four balanced
 * base-256 digits, x = d0 + d1 * 256 + d2 * 256^2 + d3 * 256^3 with |d| <= 128, and the product is
 * the sum over digit pairs of (Di @ Ej) * 256^(i+j), taken in int32 arithmetic. Pairs with
 * i + j >= 4 carry a factor 2^32 and vanish. A digit product is at most 2^14 in magnitude, so a
 * float32 matmul over at most 1024 terms sums exactly; a longer K is cut into chunks of 1024 run as
 * one batched matmul and the chunks' sums are added in int32. Balanced digits keep small operands
 * small (-1 is d0 = -1, the rest 0), so every intermediate of a small product is small too: on a
 * backend that stores int32 as float32 (gpu.js, exact below 2^24) small products stay exact.
 */
import type { Tensor } from '../tensor/tensor.js';
import { torchTypeName } from './math.js';
import { cat, pad, reshape, transpose } from './layout.js';
import { matmulRaw } from './matmul.js';
import { op } from './op.js';

const DIGIT_BASE = 256;
const DIGITS = 4;
/** Digit products are <= 128^2 = 2^14 in magnitude: 2^10 of them sum to <= 2^24, exact in float32. */
const EXACT_CHUNK = 1024;

/**
 * PyTorch's dtype rules for matrix products (torch 1.13, cpu): a bool first operand is not
 * implemented, operands of different dtypes are an error (no promotion), float32 and int32 work.
 */
export function checkProductDtypes(name: string, kernel: string, a: Tensor, b: Tensor): void {
  if (a.dtype === 'bool') throw new Error(`${name}: "${kernel}" not implemented for 'Bool'`);
  if (a.dtype !== b.dtype) {
    throw new Error(
      `${name}: expected scalar type ${torchTypeName(a.dtype)} but found ${torchTypeName(b.dtype)} (operands of dtypes ${a.dtype} and ${b.dtype}; matrix products do not promote)`,
    );
  }
}

/** x as four float32 tensors of balanced base-256 digits (each in [-128, 128]). */
function balancedDigits(x: Tensor): Tensor[] {
  const digits: Tensor[] = [];
  let rest = x;
  for (let i = 0; i < DIGITS - 1; i++) {
    const low = rest.remainder(DIGIT_BASE); // [0, 255] (floor remainder)
    const borrow = low.ge(DIGIT_BASE / 2).int(); // take 128..255 as -128..-1 and carry one up
    digits.push(low.sub(borrow.mul(DIGIT_BASE)).float());
    rest = rest.floorDivide(DIGIT_BASE).add(borrow);
  }
  digits.push(rest.float()); // floor(x / 2^24) plus a carry: within [-128, 128]
  return digits;
}

/** a [..., M, K] @ b [..., K, N] of float32 integers whose products are <= 2^14: the exact int32 result. */
function exactProduct(a: Tensor, b: Tensor): Tensor {
  const k = a.shape[a.ndim - 1]!;
  if (k <= EXACT_CHUNK) return matmulRaw(a, b, false, false).int();
  const chunks = Math.ceil(k / EXACT_CHUNK);
  const padded = chunks * EXACT_CHUNK - k;
  const m = a.shape[a.ndim - 2]!;
  const n = b.shape[b.ndim - 1]!;
  // [..., M, C, chunk] -> [..., C, M, chunk] against [..., C, chunk, N]: one batched product per chunk.
  const aChunks = transpose(reshape(pad(a, [0, padded]), [...a.shape.slice(0, -2), m, chunks, EXACT_CHUNK]), -3, -2);
  const bChunks = reshape(pad(b, [0, 0, 0, padded]), [...b.shape.slice(0, -2), chunks, EXACT_CHUNK, n]);
  return matmulRaw(aChunks, bChunks, false, false).int().sum(-3);
}

/** op(A) @ op(B) of two int32 tensors of rank >= 2 (shapes already checked), wrapping modulo 2^32. */
export function intMatmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return op('matmul', () => {
    const x = transA ? transpose(a, -1, -2) : a;
    const y = transB ? transpose(b, -1, -2) : b;
    const xd = balancedDigits(x);
    const yd = balancedDigits(y);
    let result: Tensor | null = null;
    // Highest weight first: each partial total is then a multiple of 256^shift, which float32
    // storage (gpu.js) holds exactly far past 2^24, so a small result is not rounded on the way.
    for (let shift = DIGITS - 1; shift >= 0; shift--) {
      // Every pair (i, shift - i) at once: the digits side by side along K.
      const left = shift === 0 ? xd[0]! : cat(xd.slice(0, shift + 1), -1);
      const right = shift === 0 ? yd[0]! : cat(yd.slice(0, shift + 1).reverse(), -2);
      const partial = exactProduct(left, right);
      const term = shift === 0 ? partial : partial.mul(DIGIT_BASE ** shift);
      result = result === null ? term : result.add(term);
    }
    return result!;
  });
}
