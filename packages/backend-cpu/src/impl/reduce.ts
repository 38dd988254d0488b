/**
 * Pure reductions over a set of axes (normalised, sorted, unique), axes removed from the result.
 *
 * The input is walked once in memory order (util.forEachRun over the input with the output's
 * strides, 0 on reduced axes). A run whose output stride is 0 folds into one accumulator; a run
 * along a kept axis updates a row of accumulators. Float sums and products accumulate in float64.
 */
import type { DataArray, Shape } from '@flint/core/backend';
import { sumRowsF32Simd } from './elementwise-wasm.js';
import { forEachRun, sizeOf, stridesOf, takeF32, takeLike } from './util.js';

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';

/** Shape of x with `axes` removed. */
function reducedShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/** Strides over x's shape that address the reduced output (0 along reduced axes). */
function outputStrides(shape: Shape, axes: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(0);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (axes.includes(d)) continue;
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

/**
 * x's shape as alternating groups of reduced and kept dims (adjacent dims of one kind merged,
 * size-1 dims dropped), outermost first: `[64,6,28,28]` over `[0,2,3]` is 64 reduced, 6 kept,
 * 784 reduced.
 */
function groups(shape: Shape, axes: readonly number[]): { size: number; reduced: boolean }[] {
  const out: { size: number; reduced: boolean }[] = [];
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const reduced = axes.includes(d);
    const last = out[out.length - 1];
    if (last !== undefined && last.reduced === reduced) last.size *= size;
    else out.push({ size, reduced });
  }
  return out;
}

/**
 * Float32 sums in the layouts of bias gradients and row sums, with the generic loop's float64
 * accumulation order per output (so the same bits), faster:
 * - [R reduced, C kept] (bias of a linear layer): column sums, in WebAssembly SIMD (else one
 *   plain loop, not a call per row);
 * - [R reduced, K kept, L reduced] (conv bias over N, H, W) and [K kept, L reduced] (row sums):
 *   each output is one serial chain of float64 adds, so four outputs' chains are interleaved to
 *   run in parallel instead of waiting on each add's latency.
 * Returns null for any other layout.
 */
function sumF32(x: Float32Array, shape: Shape, axes: readonly number[], outSize: number): Float32Array | null {
  const g = groups(shape, axes);
  if (g.length === 1 && g[0]!.reduced) {
    // everything into one value (a loss's mean): one serial float64 sum
    let a = 0;
    for (let i = 0; i < x.length; i++) a += x[i]!;
    const out = takeF32(outSize);
    out[0] = a;
    return out;
  }
  if (g.length === 2 && g[0]!.reduced) {
    const out = takeF32(outSize);
    if (!sumRowsF32Simd(x, g[0]!.size, g[1]!.size, out)) sumColumns(x, g[0]!.size, g[1]!.size, out);
    return out;
  }
  let R = 1;
  let i = 0;
  if (g.length === 3 && g[0]!.reduced) R = g[i++]!.size;
  else if (g.length !== 2) return null;
  const K = g[i]!.size;
  const L = g[i + 1]!.size;
  if (L < 16) return null;
  const out = takeF32(outSize);
  sumInterleaved(x, R, K, L, out);
  return out;
}

/** out[c] = sum over r of x[r*C + c], in float64, row after row (short rows, or no SIMD). */
function sumColumns(x: Float32Array, R: number, C: number, out: Float32Array): void {
  const acc = new Float64Array(C);
  for (let r = 0, p = 0; r < R; r++) for (let c = 0; c < C; c++, p++) acc[c]! += x[p]!;
  out.set(acc);
}

/** out[k] = sum over r, l of x[(r*K + k)*L + l], each in float64, r-major then l (memory order). */
function sumInterleaved(x: Float32Array, R: number, K: number, L: number, out: Float32Array): void {
  const rowStride = K * L;
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let r = 0, base = k * L; r < R; r++, base += rowStride)
      for (let l = 0, p = base; l < L; l++, p++) {
        a0 += x[p]!;
        a1 += x[p + L]!;
        a2 += x[p + 2 * L]!;
        a3 += x[p + 3 * L]!;
      }
    out[k] = a0;
    out[k + 1] = a1;
    out[k + 2] = a2;
    out[k + 3] = a3;
  }
  for (; k + 2 <= K; k += 2) {
    let a0 = 0;
    let a1 = 0;
    for (let r = 0, base = k * L; r < R; r++, base += rowStride)
      for (let l = 0, p = base; l < L; l++, p++) {
        a0 += x[p]!;
        a1 += x[p + L]!;
      }
    out[k] = a0;
    out[k + 1] = a1;
  }
  for (; k < K; k++) {
    let a0 = 0;
    for (let r = 0, base = k * L; r < R; r++, base += rowStride) for (let l = 0, p = base; l < L; l++, p++) a0 += x[p]!;
    out[k] = a0;
  }
}

function reduce(op: ReduceOp, x: DataArray, shape: Shape, axes: readonly number[]): DataArray {
  const outSize = sizeOf(reducedShape(shape, axes));
  if (op === 'sum' && x instanceof Float32Array && outSize > 0) {
    const out = sumF32(x, shape, axes, outSize);
    if (out !== null) return out;
  }
  const isInt = x instanceof Int32Array;
  const strides = [stridesOf(shape), outputStrides(shape, axes)];

  if (op === 'prod' && isInt) {
    const acc = new Int32Array(outSize).fill(1);
    forEachRun(shape, strides, (offs, n, inner) => {
      let xi = offs[0]!;
      const xs = inner[0]!;
      let oi = offs[1]!;
      const os = inner[1]!;
      if (os === 0) {
        let p = acc[oi]!;
        for (let i = 0; i < n; i++, xi += xs) p = Math.imul(p, x[xi]!);
        acc[oi] = p;
      } else {
        for (let i = 0; i < n; i++, xi += xs, oi += os) acc[oi] = Math.imul(acc[oi]!, x[xi]!);
      }
    });
    return acc;
  }

  const init = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
  const acc = new Float64Array(outSize).fill(init);
  forEachRun(shape, strides, (offs, n, inner) => {
    let xi = offs[0]!;
    const xs = inner[0]!;
    let oi = offs[1]!;
    const os = inner[1]!;
    if (os === 0) {
      let a = acc[oi]!;
      switch (op) {
        case 'sum':
          for (let i = 0; i < n; i++, xi += xs) a += x[xi]!;
          break;
        case 'prod':
          for (let i = 0; i < n; i++, xi += xs) a *= x[xi]!;
          break;
        case 'max':
          for (let i = 0; i < n; i++, xi += xs) {
            const v = x[xi]!;
            if (v > a || Number.isNaN(v)) a = v;
          }
          break;
        case 'min':
          for (let i = 0; i < n; i++, xi += xs) {
            const v = x[xi]!;
            if (v < a || Number.isNaN(v)) a = v;
          }
          break;
      }
      acc[oi] = a;
    } else {
      switch (op) {
        case 'sum':
          for (let i = 0; i < n; i++, xi += xs, oi += os) acc[oi]! += x[xi]!;
          break;
        case 'prod':
          for (let i = 0; i < n; i++, xi += xs, oi += os) acc[oi]! *= x[xi]!;
          break;
        case 'max':
          for (let i = 0; i < n; i++, xi += xs, oi += os) {
            const v = x[xi]!;
            if (v > acc[oi]! || Number.isNaN(v)) acc[oi] = v;
          }
          break;
        case 'min':
          for (let i = 0; i < n; i++, xi += xs, oi += os) {
            const v = x[xi]!;
            if (v < acc[oi]! || Number.isNaN(v)) acc[oi] = v;
          }
          break;
      }
    }
  });
  const out = takeLike(x, outSize);
  out.set(acc);
  return out;
}

export const sum = (x: DataArray, shape: Shape, axes: readonly number[]): DataArray => reduce('sum', x, shape, axes);
export const prod = (x: DataArray, shape: Shape, axes: readonly number[]): DataArray => reduce('prod', x, shape, axes);
export const max = (x: DataArray, shape: Shape, axes: readonly number[]): DataArray => reduce('max', x, shape, axes);
export const min = (x: DataArray, shape: Shape, axes: readonly number[]): DataArray => reduce('min', x, shape, axes);

/**
 * Index of the max (or min) along `axis`, first occurrence on ties; a NaN counts as the extreme
 * (the first NaN wins), as in PyTorch. int32 result with `axis` removed.
 */
function argReduce(isMax: boolean, x: DataArray, shape: Shape, axis: number): Int32Array {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  const n = shape[axis]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  const out = new Int32Array(outer * inner);
  if (n === 0) return out;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let j = 0; j < inner; j++) {
      let best = x[base + j]!;
      let bestIdx = 0;
      if (!Number.isNaN(best)) {
        for (let i = 1, p = base + inner + j; i < n; i++, p += inner) {
          const v = x[p]!;
          if (Number.isNaN(v)) {
            bestIdx = i;
            break;
          }
          if (isMax ? v > best : v < best) {
            best = v;
            bestIdx = i;
          }
        }
      }
      out[o * inner + j] = bestIdx;
    }
  }
  return out;
}

export const argmax = (x: DataArray, shape: Shape, axis: number): Int32Array => argReduce(true, x, shape, axis);
export const argmin = (x: DataArray, shape: Shape, axis: number): Int32Array => argReduce(false, x, shape, axis);
