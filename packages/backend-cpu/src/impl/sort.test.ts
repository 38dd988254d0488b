/** The cpu sort is stable in both directions on its own comparator (expected indices from torch 1.13, stable=True). */
import { describe, expect, it } from 'vitest';
import { sort } from './sort.js';

describe('sort (cpu)', () => {
  it('is stable in both directions whatever the engine sort does, NaN largest', () => {
    const x = Float32Array.from([1, Number.NaN, 0, -0, 1, Number.NaN, -1]);
    expect(Array.from(sort(x, [7], 0, false).indices)).toEqual([6, 2, 3, 0, 4, 1, 5]);
    expect(Array.from(sort(x, [7], 0, true).indices)).toEqual([1, 5, 0, 4, 2, 3, 6]);
  });
});
