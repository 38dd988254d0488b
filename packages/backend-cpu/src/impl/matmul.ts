/** Pure batched matmul with optional transposes and broadcast batch dims, on top of gemm. */
import type { DataArray, Shape } from '@flint/core/backend';
import { gemm } from './gemm.js';
import { broadcastStrides, sizeOf, take } from './util.js';

/** Offsets (in matrices) of each operand's matrix for every flat batch index of `batchShape`. */
function batchOffsets(operandBatch: Shape, batchShape: Shape): Int32Array {
  const strides = broadcastStrides(operandBatch, batchShape);
  const total = sizeOf(batchShape);
  const offs = new Int32Array(total);
  const idx = new Array<number>(batchShape.length).fill(0);
  let off = 0;
  for (let t = 0; t < total; t++) {
    offs[t] = off;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < batchShape[d]!) break;
      off -= strides[d]! * batchShape[d]!;
      idx[d] = 0;
    }
  }
  return offs;
}

/**
 * a: [...batchA, M, K] ([..., K, M] if transposeA); b: [...batchB, K, N] ([..., N, K] if
 * transposeB); result [...batch, M, N] = outShape. float32 runs the blocked GEMM; int32 a plain
 * triple loop (int32 matmul is rare and exact in float64 for realistic sizes, wrapped on store).
 */
export function matmul(
  a: DataArray,
  aShape: Shape,
  b: DataArray,
  bShape: Shape,
  transposeA: boolean,
  transposeB: boolean,
  outShape: Shape,
): DataArray {
  const r = outShape.length;
  const M = outShape[r - 2]!;
  const N = outShape[r - 1]!;
  const K = transposeA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!;
  const batchShape = outShape.slice(0, r - 2);
  const batch = sizeOf(batchShape);
  const isInt = a instanceof Int32Array;
  const out = take(isInt ? 'int32' : 'float32', sizeOf(outShape));
  if (out.length === 0) return out;
  const aOffs = batchOffsets(aShape.slice(0, -2), batchShape);
  const bOffs = batchOffsets(bShape.slice(0, -2), batchShape);
  const aRs = transposeA ? 1 : K;
  const aCs = transposeA ? M : 1;
  const bRs = transposeB ? 1 : N;
  const bCs = transposeB ? K : 1;
  for (let t = 0; t < batch; t++) {
    const aOff = aOffs[t]! * M * K;
    const bOff = bOffs[t]! * K * N;
    const cOff = t * M * N;
    if (isInt) {
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a[aOff + i * aRs + k * aCs]! * b[bOff + k * bRs + j * bCs]!;
          out[cOff + i * N + j] = s;
        }
    } else {
      gemm(
        M,
        N,
        K,
        { data: a as Float32Array, offset: aOff, rs: aRs, cs: aCs },
        { data: b as Float32Array, offset: bOff, rs: bRs, cs: bCs },
        out as Float32Array,
        cOff,
        N,
        false,
      );
    }
  }
  return out;
}
