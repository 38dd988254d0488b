/**
 * Closeness, defined once for every Flint test: what a backend read back against a reference
 * HostTensor (`compareData`), and plain arrays against expected values (`expectClose`).
 */
import type { DataArray, DType } from '@flint/core/backend';
import type { HostTensor } from './reference/tensor.js';
import { int32Matches, type StorageModel } from './reference/storage-model.js';

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** float32 defaults for exact kernels (DESIGN.md §6). */
export const FLOAT32_TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

const ARRAY_FOR: Record<DType, string> = { float32: 'Float32Array', int32: 'Int32Array', bool: 'Uint8Array' };

function fmt(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * |actual - expected| <= atol + rtol * max(|expected|, scale); NaN matches only NaN and an
 * infinity only the same infinity.
 */
export function withinTolerance(actual: number, expected: number, tol: Tolerance, scale = 0): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) return actual === expected;
  return Math.abs(actual - expected) <= tol.atol + tol.rtol * Math.max(Math.abs(expected), scale);
}

/**
 * Throws an Error naming the first mismatching elements (index, got, expected, tolerance) unless
 * `actual` has `expected`'s length and every element is `withinTolerance`.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance = FLOAT32_TOLERANCE,
  label = 'values',
): void {
  if (actual.length !== expected.length)
    throw new Error(`${label}: ${actual.length} elements, expected ${expected.length}`);
  const problems: string[] = [];
  let bad = 0;
  for (let i = 0; i < expected.length; i++) {
    if (withinTolerance(actual[i]!, expected[i]!, tol)) continue;
    bad++;
    if (bad <= 6) problems.push(`[${i}]: got ${fmt(actual[i]!)}, expected ${fmt(expected[i]!)}`);
  }
  if (bad === 0) return;
  if (bad > 6) problems.push(`... ${bad} mismatching elements of ${expected.length}`);
  throw new Error(`${label} (rtol ${tol.rtol}, atol ${tol.atol}):\n  ${problems.join('\n  ')}`);
}

/**
 * Returns a list of problems (empty when `actual` matches): wrong array type or length, then up to
 * 6 mismatching elements. float32 compares with `withinTolerance` (scale[i] from the reference);
 * int32 and bool compare exactly (int32 beyond a storage model's exact range after float32 rounding;
 * default: the model runConformance declared).
 */
export function compareData(
  actual: DataArray,
  expected: HostTensor,
  tol: Tolerance,
  label = 'output',
  storage?: StorageModel,
): string[] {
  const problems: string[] = [];
  const wantType = ARRAY_FOR[expected.dtype];
  if (actual?.constructor?.name !== wantType) {
    problems.push(
      `${label}: read() returned ${actual?.constructor?.name ?? typeof actual}, expected ${wantType} for ${expected.dtype}`,
    );
    return problems;
  }
  if (actual.length !== expected.data.length) {
    problems.push(
      `${label}: ${actual.length} elements, expected ${expected.data.length} for shape [${expected.shape.join(', ')}]`,
    );
    return problems;
  }
  let bad = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected.data[i]!;
    let ok: boolean;
    if (expected.dtype === 'int32') ok = int32Matches(a, e, storage);
    else if (expected.dtype !== 'float32') ok = a === e;
    else ok = withinTolerance(a, e, tol, expected.scale?.[i]);
    if (!ok) {
      bad++;
      if (bad <= 6) problems.push(`${label}[${i}]: got ${fmt(a)}, expected ${fmt(e)}`);
    }
  }
  if (bad > 6) problems.push(`${label}: ... ${bad} mismatching elements of ${actual.length}`);
  return problems;
}
