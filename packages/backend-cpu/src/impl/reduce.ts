/**
 * Pure reductions over a set of axes (normalised, sorted, unique), axes removed from the result.
 *
 * The input is walked once in memory order (util.forEachRun over the input with the output's
 * strides, 0 on reduced axes). A run whose output stride is 0 folds into one accumulator; a run
 * along a kept axis updates a row of accumulators. Float sums and products accumulate in float64.
 */
import type { DataArray, Shape } from '@flint/core/backend';
import { allocLike, forEachRun, sizeOf, stridesOf } from './util.js';

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

function reduce(op: ReduceOp, x: DataArray, shape: Shape, axes: readonly number[]): DataArray {
  const outSize = sizeOf(reducedShape(shape, axes));
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
  const out = allocLike(x, outSize);
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
