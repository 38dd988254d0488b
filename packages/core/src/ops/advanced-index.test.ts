/**
 * x.index(...) with index tensors: what the PyTorch fixtures (conformance, ops-fidelity.json) cannot
 * show — the errors, and what an out-of-range index tensor gives without a readback.
 */
import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { arange, memory, tensor, zeros } from '../index.js';

const ints = (values: number[] | number[][]) => tensor(values, { dtype: 'int32' });

describe('advanced indexing', () => {
  it('x.index(rows, cols) picks pairs (logits[arange(N), y]), not the rows-by-cols block', () => {
    const logits = arange(12).reshape(3, 4);
    const picked = logits.index(arange(0, 3, 1, { dtype: 'int32' }), ints([3, 0, 1]));
    expect([...picked.shape]).toEqual([3]);
    expect(picked.tolist()).toEqual([3, 4, 9]);
  });

  it('index tensors that do not broadcast: the error names every shape', () => {
    const x = zeros([3, 4]);
    expect(() => x.index(ints([1, 2]), ints([1, 2, 3]))).toThrow(
      'index: shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]',
    );
    expect(() => zeros([2, 3, 4]).index(ints([[0, 1]]), null, ints([0, 1, 0]))).toThrow(/shapes \[1, 2\], \[3\]/);
  });

  it("a number out of range raises PyTorch's message, naming the dim it indexes", () => {
    const x = zeros([3, 4]);
    expect(() => x.index(5)).toThrow('index 5 is out of bounds for dimension 0 with size 3');
    expect(() => x.index(0, 5)).toThrow('index 5 is out of bounds for dimension 1 with size 4');
    expect(() => x.index(null, -5)).toThrow('index -5 is out of bounds for dimension 1 with size 4');
    expect(() => x.index(1.5)).toThrow(/only integers, slices.*got 1.5 at position 0/);
    expect(() => x.index(0, 0, 0)).toThrow('too many indices for tensor of dimension 2 (got 3)');
  });

  it('index tensors must be int32 or bool masks (a float one names its dtype and shape)', () => {
    const x = zeros([3, 4]);
    expect(() => x.index(tensor([0, 1]))).toThrow(
      'tensors used as indices must be int32 or bool, got float32 (shape [2])',
    );
    expect(() => x.index(tensor([true, false]))).toThrow(
      'The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0',
    );
  });

  it('an out-of-range index tensor reads NaN (float) and gets no gradient; no readback, no leak', () => {
    const leaf = arange(0, 6, 1, { requiresGrad: true });
    const x = leaf.reshape(2, 3);
    const rows = ints([1, 2, -3, 0]);
    const cols = ints([0, 0, 1, 3]);
    const before = memory().handles;
    const out = x.index(rows, cols);
    expect(Array.from(out.dataSync())).toEqual([3, Number.NaN, Number.NaN, Number.NaN]);
    const total = out.sum();
    total.backward();
    total.dispose();
    out.dispose();
    // Only the in-range pair (1, 0) receives its gradient.
    expect(leaf.grad!.tolist()).toEqual([0, 0, 0, 1, 0, 0]);
    leaf.grad!.dispose();
    leaf.grad = null;
    expect(memory().handles).toBe(before);
  });

  it('out-of-range rows of an int32 tensor read element 0 of the indexed dims (documented)', () => {
    const x = ints([
      [5, 6],
      [7, 8],
    ]);
    expect(x.index(ints([1, 9])).tolist()).toEqual([
      [7, 8],
      [5, 6],
    ]);
  });
});
