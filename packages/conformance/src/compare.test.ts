/** The shared closeness helpers: what counts as close, and what a failure says. */
import { describe, expect, it } from 'vitest';
import { compareData, expectClose, FLOAT32_TOLERANCE, withinTolerance } from './compare.js';
import { host } from './reference/index.js';

describe('withinTolerance', () => {
  const tol = { rtol: 1e-4, atol: 1e-5 };
  it('allows atol + rtol * |expected|, and no more', () => {
    expect(withinTolerance(100.01, 100, tol)).toBe(true);
    expect(withinTolerance(100.0102, 100, tol)).toBe(false);
    expect(withinTolerance(9e-6, 0, tol)).toBe(true);
    expect(withinTolerance(1.1e-5, 0, tol)).toBe(false);
  });
  it('measures relative error against max(|expected|, scale)', () => {
    expect(withinTolerance(1e-3, 0, tol, 100)).toBe(true);
    expect(withinTolerance(1e-3, 0, tol)).toBe(false);
  });
  it('matches NaN only with NaN and an infinity only with the same infinity', () => {
    expect(withinTolerance(NaN, NaN, tol)).toBe(true);
    expect(withinTolerance(0, NaN, tol)).toBe(false);
    expect(withinTolerance(NaN, 0, tol)).toBe(false);
    expect(withinTolerance(Infinity, Infinity, tol)).toBe(true);
    expect(withinTolerance(-Infinity, Infinity, tol)).toBe(false);
    expect(withinTolerance(3.4e38, Infinity, tol)).toBe(false);
    expect(withinTolerance(Infinity, 3.4e38, tol)).toBe(false);
  });
});

describe('expectClose', () => {
  it('passes close arrays of any array type', () => {
    expectClose(Float32Array.from([1, 2, NaN]), [1.00001, 2, NaN]);
    expectClose([0.5], [0.5001], { rtol: 1e-3, atol: 0 });
  });
  it('names the label, the elements, and the tolerance when values differ', () => {
    expect(() => expectClose([1, 2.1, 3], [1, 2, 3], FLOAT32_TOLERANCE, 'param 0')).toThrow(
      /param 0 \(rtol 0\.0001, atol 0\.00001\):\n {2}\[1\]: got 2\.1, expected 2$/,
    );
  });
  it('fails on a length mismatch', () => {
    expect(() => expectClose([1, 2], [1, 2, 3], FLOAT32_TOLERANCE, 'grad')).toThrow(/grad: 2 elements, expected 3/);
  });
  it('lists six mismatches and counts the rest', () => {
    expect(() => expectClose(new Array(10).fill(1), new Array(10).fill(0))).toThrow(
      /\.\.\. 10 mismatching elements of 10/,
    );
  });
});

describe('compareData', () => {
  it('applies a storage model passed to it (int32 beyond the exact range compares after float32 rounding)', () => {
    const want = host([1], 'int32', [2 ** 24 + 1]);
    const got = Int32Array.from([2 ** 24]);
    expect(compareData(got, want, FLOAT32_TOLERANCE, 'out', {})).toHaveLength(1);
    expect(compareData(got, want, FLOAT32_TOLERANCE, 'out', { int32ExactBelow: 2 ** 24 })).toEqual([]);
  });
});
