/** Pure fused kernels for MLP training: linear, softmax, logSoftmax. */
import type { Shape } from '@flint/core/backend';
import { gemm } from './gemm.js';
import { sizeOf, takeF32 } from './util.js';

/** y[..., out] = x[..., in] @ w[out, in]^T + bias[out] (bias may be null). */
export function linear(
  x: Float32Array,
  xShape: Shape,
  w: Float32Array,
  wShape: Shape,
  bias: Float32Array | null,
): Float32Array {
  const inF = wShape[1]!;
  const outF = wShape[0]!;
  const M = sizeOf(xShape.slice(0, -1));
  const y = takeF32(M * outF);
  if (bias !== null) for (let i = 0; i < M; i++) y.set(bias, i * outF);
  gemm(
    M,
    outF,
    inF,
    { data: x, offset: 0, rs: inF, cs: 1 },
    { data: w, offset: 0, rs: 1, cs: inF },
    y,
    0,
    outF,
    bias !== null,
  );
  return y;
}

function axisLayout(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return [outer, shape[axis] ?? 1, inner];
}

/** Numerically stable (log-)softmax along `axis`: subtract the max, sum exp in float64. */
function softmaxImpl(x: Float32Array, shape: Shape, axis: number, log: boolean): Float32Array {
  const out = takeF32(x.length);
  const [outer, n, inner] = axisLayout(shape, axis);
  if (n === 0) return out;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      const end = base + n * inner;
      let m = -Infinity;
      for (let p = base; p < end; p += inner) {
        const v = x[p]!;
        if (v > m || Number.isNaN(v)) m = v;
      }
      // all -inf (or +inf present): shift by 0 / produce NaN like PyTorch
      const shift = m === -Infinity ? 0 : m;
      let s = 0;
      for (let p = base; p < end; p += inner) s += Math.exp(x[p]! - shift);
      if (log) {
        const lse = Math.log(s);
        for (let p = base; p < end; p += inner) out[p] = x[p]! - shift - lse;
      } else {
        const inv = 1 / s;
        for (let p = base; p < end; p += inner) out[p] = Math.exp(x[p]! - shift) * inv;
      }
    }
  }
  return out;
}

export const softmax = (x: Float32Array, shape: Shape, axis: number): Float32Array =>
  softmaxImpl(x, shape, axis, false);
export const logSoftmax = (x: Float32Array, shape: Shape, axis: number): Float32Array =>
  softmaxImpl(x, shape, axis, true);
