/**
 * Shared helpers for the pure implementations: dtype <-> typed array, strides, and the one
 * broadcast/strided iteration routine every elementwise and layout kernel uses.
 */
import { sizeOf, stridesOf, broadcastStrides } from '@flint/core/backend';
import type { DataArray, DType, Shape } from '@flint/core/backend';

export { sizeOf, stridesOf, broadcastStrides };
import { take, zeroed } from './buffers.js';

export function dtypeOf(a: DataArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

/** A zeroed typed array for `dtype`, reused from the buffer pool when one of that size is free. */
export { zeroed as alloc, take, takeF32 } from './buffers.js';

/** A zeroed array of the same kind as `a`. */
export function allocLike(a: DataArray, length: number): DataArray {
  return zeroed(dtypeOf(a), length);
}

/** An array of the same kind as `a`, contents unspecified: for kernels that write every element. */
export function takeLike(a: DataArray, length: number): DataArray {
  return take(dtypeOf(a), length);
}

/** How a host number is stored in an array of `dtype` (bool: x != 0; int32: truncation). */
export function coerce(value: number, dtype: DType): number {
  if (dtype === 'bool') return value !== 0 ? 1 : 0;
  return value;
}

/**
 * Merge adjacent dims that are contiguous for every operand and drop size-1 dims, so that
 * iteration runs over as few, as long rows as possible. `strides[k]` are operand k's strides over
 * `shape` (0 for broadcast dims).
 */
function collapseDims(shape: Shape, strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    if (merge) {
      for (let k = 0; k < strides.length; k++) {
        if (outStrides[k]![last] !== strides[k]![d]! * n) {
          merge = false;
          break;
        }
      }
    }
    if (merge) {
      outShape[last] = outShape[last]! * n;
      for (let k = 0; k < strides.length; k++) outStrides[k]![last] = strides[k]![d]!;
    } else {
      outShape.push(n);
      for (let k = 0; k < strides.length; k++) outStrides[k]!.push(strides[k]![d]!);
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Walk `shape` in row-major order as a sequence of innermost runs. For each run, `body` gets the
 * start offset of every operand (`offs[k]`), the run length and every operand's stride along the
 * run (`inner[k]`). `offs` is reused between calls: read it, do not keep it.
 */
export function forEachRun(
  shape: Shape,
  strides: readonly (readonly number[])[],
  body: (offs: number[], n: number, inner: number[]) => void,
): void {
  if (sizeOf(shape) === 0) return;
  const c = collapseDims(shape, strides);
  const nOps = strides.length;
  const offs = new Array<number>(nOps).fill(0);
  const r = c.shape.length;
  if (r === 0) {
    body(offs, 1, new Array<number>(nOps).fill(0));
    return;
  }
  const n = c.shape[r - 1]!;
  const inner = c.strides.map((s) => s[r - 1]!);
  const outerRank = r - 1;
  let outer = 1;
  for (let d = 0; d < outerRank; d++) outer *= c.shape[d]!;
  const idx = new Array<number>(outerRank).fill(0);
  for (let it = 0; it < outer; it++) {
    body(offs, n, inner);
    for (let d = outerRank - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < c.shape[d]!) {
        for (let k = 0; k < nOps; k++) offs[k]! += c.strides[k]![d]!;
        break;
      }
      idx[d] = 0;
      for (let k = 0; k < nOps; k++) offs[k]! -= c.strides[k]![d]! * (c.shape[d]! - 1);
    }
  }
}

/** Copy `src` read with `srcStrides` (over `shape`) into a new contiguous array `out`. */
export function stridedCopy(
  src: DataArray,
  srcOffset: number,
  srcStrides: readonly number[],
  shape: Shape,
  out: DataArray,
): void {
  forEachRun(shape, [stridesOf(shape), srcStrides], (offs, n, inner) => {
    const o = offs[0]!;
    let s = offs[1]! + srcOffset;
    const st = inner[1]!;
    if (st === 1) {
      out.set(src.subarray(s, s + n), o);
    } else {
      for (let i = 0; i < n; i++, s += st) out[o + i] = src[s]!;
    }
  });
}
