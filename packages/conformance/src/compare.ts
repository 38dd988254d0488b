/** Comparing what a backend read back with a reference HostTensor. */
import type { DataArray, DType } from '@flint/core/backend';
import type { HostTensor } from './reference/tensor.js';
import { int32Matches } from './reference/storage-model.js';

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
 * Returns a list of problems (empty when `actual` matches): wrong array type or length, then up to
 * 6 mismatching elements. float32 compares |a - e| <= atol + rtol * max(|e|, scale[i]) with NaN
 * matching NaN and infinities matching exactly; int32 and bool compare exactly.
 */
export function compareData(actual: DataArray, expected: HostTensor, tol: Tolerance, label = 'output'): string[] {
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
    if (expected.dtype === 'int32') ok = int32Matches(a, e);
    else if (expected.dtype !== 'float32') ok = a === e;
    else if (Number.isNaN(e)) ok = Number.isNaN(a);
    else if (!Number.isFinite(e) || !Number.isFinite(a)) ok = a === e;
    else {
      const base = Math.max(Math.abs(e), expected.scale?.[i] ?? 0);
      ok = Math.abs(a - e) <= tol.atol + tol.rtol * base;
    }
    if (!ok) {
      bad++;
      if (bad <= 6) problems.push(`${label}[${i}]: got ${fmt(a)}, expected ${fmt(e)}`);
    }
  }
  if (bad > 6) problems.push(`${label}: ... ${bad} mismatching elements of ${actual.length}`);
  return problems;
}
