/**
 * Host-side tensors for the reference implementations: float64 values in row-major order, plus
 * the dtype the kernel under test should produce. Deliberately naive — these are the "obviously
 * correct" answers the backends are compared with.
 */
import type { DataArray, DType, Shape } from '@flint/core/backend';
import { applyStorageModel } from './storage-model.js';

export interface HostTensor {
  readonly shape: Shape;
  readonly dtype: DType;
  /** Values as float64 (int32 as integers, bool as 0/1). */
  readonly data: Float64Array;
  /**
   * Optional per-element magnitude of the terms that produced each value (e.g. sum of |a*b| for a
   * dot product). Comparisons use max(|expected|, scale) as the relative base, so a float32
   * accumulation that cancels to ~0 is judged against the size of what it summed, not the result.
   */
  readonly scale?: Float64Array;
}

export function sizeOfShape(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Rounds a value to what the dtype can store (float32 rounding, int32 wrap, bool 0/1). */
export function storeAs(dtype: DType, v: number): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(v);
    case 'int32':
      return v | 0;
    case 'bool':
      return v !== 0 ? 1 : 0;
  }
}

export function host(shape: Shape, dtype: DType, values: ArrayLike<number>, scale?: ArrayLike<number>): HostTensor {
  const n = sizeOfShape(shape);
  if (values.length !== n) throw new Error(`host(): ${values.length} values for shape [${shape.join(', ')}]`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = storeAs(dtype, values[i]!);
  const t: HostTensor = { shape: [...shape], dtype, data };
  return scale === undefined ? t : { ...t, scale: Float64Array.from(scale) };
}

/** The typed array uploaded to a backend (after its declared storage model, see storage-model.ts). */
export function toDataArray(t: HostTensor): DataArray {
  applyStorageModel(t);
  return typedArrayOf(t);
}

/** The values as the typed array of the dtype (no storage model applied). */
export function typedArrayOf(t: HostTensor): DataArray {
  switch (t.dtype) {
    case 'float32':
      return Float32Array.from(t.data);
    case 'int32':
      return Int32Array.from(t.data);
    case 'bool':
      return Uint8Array.from(t.data);
  }
}

/** Flat index -> multi-index. */
export function unravel(flat: number, shape: Shape): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

/** Multi-index -> flat index. */
export function ravel(idx: readonly number[], shape: Shape): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i]! + idx[i]!;
  return flat;
}

/** NumPy broadcasting of shapes; throws when they do not broadcast (a bug in a test case). */
export function broadcastShape(...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) throw new Error(`shapes do not broadcast: ${shapes.map((x) => `[${x}]`).join(' ')}`);
      d = v;
    }
    out.push(d);
  }
  return out;
}

/** Value of `t` at the multi-index `outIdx` of a shape it is broadcast to. */
export function broadcastAt(t: HostTensor, outIdx: readonly number[]): number {
  const off = outIdx.length - t.shape.length;
  let flat = 0;
  for (let i = 0; i < t.shape.length; i++) {
    const d = t.shape[i]!;
    flat = flat * d + (d === 1 ? 0 : outIdx[i + off]!);
  }
  return t.data[flat]!;
}
