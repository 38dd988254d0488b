/**
 * What the cpu scan promises beyond the shared kernel cases: PyTorch's CPU accumulator (float64
 * for float32, so a running sum keeps what float32 steps would round away) and int32 wrapping at
 * every step (PyTorch's int64 accumulator cast back gives the same residues). Expected values
 * from torch 1.13.
 */
import { describe, expect, it } from 'vitest';
import { cumulative } from './cumulative.js';

describe('cumulative (cpu)', () => {
  it('accumulates float32 in float64, as torch.cumsum on CPU', () => {
    // torch.cumsum(torch.tensor([1e8, 1., 1., -1e8]), 0) -> [1e8, 1e8, 1e8, 2]; float32 steps give 0.
    expect(Array.from(cumulative(Float32Array.from([1e8, 1, 1, -1e8]), [4], 0, 'sum'))).toEqual([1e8, 1e8, 1e8, 2]);
    // torch.cumprod(torch.tensor([1e20, 1e20, 1e-30, 0.5]), 0) -> [1e20, inf, 1e10, 5e9].
    const p = cumulative(Float32Array.from([1e20, 1e20, 1e-30, 0.5]), [4], 0, 'prod');
    expect(Array.from(p)).toEqual([Math.fround(1e20), Infinity, Math.fround(1e10), Math.fround(5e9)]);
  });

  it('wraps int32 sums and products at every step', () => {
    expect(Array.from(cumulative(Int32Array.from([2147483647, 1, 5]), [3], 0, 'sum'))).toEqual([
      2147483647, -2147483648, -2147483643,
    ]);
    expect(Array.from(cumulative(Int32Array.from([65536, 65536, 3]), [3], 0, 'prod'))).toEqual([65536, 0, 0]);
    expect(Array.from(cumulative(Int32Array.from([123456789, 987654321]), [2], 0, 'prod'))).toEqual([
      123456789, -67153019,
    ]);
  });

  it('scans along a middle axis', () => {
    // [2, 2, 2] along axis 1: pairs (0,2), (1,3), (4,6), (5,7).
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(cumulative(x, [2, 2, 2], 1, 'max'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(cumulative(x, [2, 2, 2], 1, 'sum'))).toEqual([1, 2, 4, 6, 5, 6, 12, 14]);
  });
});
