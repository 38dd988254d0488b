/**
 * Calls PyTorch 1.13 refuses that Flint accepted (found by packages/conformance/audit): each must
 * raise PyTorch's error. The messages are torch 1.13's, checked with /usr/bin/python3.
 */
import { describe, expect, it } from 'vitest';
import '@flint/backend-cpu';
import * as f from '../index.js';

f.setBackend('cpu');

describe("PyTorch's refusals", () => {
  it('cat of a 0-d tensor', () => {
    expect(() => f.cat([f.tensor([1, 2]), f.tensor(3)])).toThrow(
      /zero-dimensional tensor \(at position 1\) cannot be concatenated/,
    );
    expect(() => f.cat([f.tensor(1), f.tensor(2)])).toThrow(/at position 0/);
  });

  it('roll and repeatInterleave along a dim of a 0-d tensor (the flattened forms still work)', () => {
    expect(() => f.roll(f.tensor(1), [5], [0])).toThrow(/Dimension specified as 0 but tensor has no dimensions/);
    expect(() => f.repeatInterleave(f.tensor(1), 2, 0)).toThrow(
      /Dimension specified as 0 but tensor has no dimensions/,
    );
    expect(f.roll(f.tensor(1.5), 3).item()).toBe(1.5);
    expect(f.repeatInterleave(f.tensor(1.5), 2).tolist()).toEqual([1.5, 1.5]);
  });

  it('groupNorm with one value per group', () => {
    expect(() => f.nn.functional.groupNorm(f.ones([1, 2, 1, 1]), 2)).toThrow(
      /Expected more than 1 value per channel when training, got input size \[1, 2, 1, 1\]/,
    );
    expect(() => f.nn.functional.groupNorm(f.ones([1, 1]), 1)).toThrow(/got input size \[1, 1\]/);
    expect(f.nn.functional.groupNorm(f.ones([1, 2, 2]), 2).shape).toEqual([1, 2, 2]);
  });
});
