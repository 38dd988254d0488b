/**
 * Indexing reads and writes: what the PyTorch fixtures (conformance, ops-indexing.json) cannot
 * show — the errors, in-place autograd on graph tensors and leaves, and writes through
 * out-of-range index entries.
 */
import { cpuBackend } from '@flint/backend-cpu';
import { describe, expect, it, vi } from 'vitest';
import { arange, indexPut, memory, narrow, scatter, scatterReduce, tensor, zeros } from '../index.js';

const ints = (values: number[] | number[][]) => tensor(values, { dtype: 'int32' });
const bools = (values: boolean[] | boolean[][]) => tensor(values, { dtype: 'bool' });

describe('index(): newaxis, ellipsis and masks', () => {
  it("'...' fills the missing dims and 'newaxis' inserts size-1 dims", () => {
    const x = arange(24).reshape(2, 3, 4);
    expect([...x.index('...', 1).shape]).toEqual([2, 3]);
    expect([...x.index('newaxis', '...', 'newaxis').shape]).toEqual([1, 2, 3, 4, 1]);
    expect(x.index(1, '...', 2).tolist()).toEqual([14, 18, 22]);
    expect(() => x.index('...', 0, '...')).toThrow("an index can only have a single ellipsis ('...')");
    expect(() => x.index(0, 0, 0, 0)).toThrow('too many indices for tensor of dimension 3 (got 4)');
  });

  it('a mask over the leading dims picks rows; a newaxis between index tensors moves the broadcast dims first', () => {
    const x = arange(24).reshape(2, 3, 4);
    const rows = x.index(
      bools([
        [true, false, false],
        [false, false, true],
      ]),
    );
    expect(rows.tolist()).toEqual([
      [0, 1, 2, 3],
      [20, 21, 22, 23],
    ]);
    expect([...x.index(ints([0, 1]), 'newaxis', ints([2, 0])).shape]).toEqual([2, 1, 4]);
    expect(() => x.index(bools([true, false, true]))).toThrow(
      'The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3, 4] at index 0',
    );
  });
});

describe('writes', () => {
  it('setIndex on a graph tensor records history: the gradient reaches the values and the unwritten part', () => {
    const leaf = arange(0, 6, 1, { requiresGrad: true });
    const v = tensor([10, 20], { requiresGrad: true });
    const y = leaf.mul(1).reshape(2, 3);
    y.setIndex([null, 1], v);
    expect(y.tolist()).toEqual([
      [0, 10, 2],
      [3, 20, 5],
    ]);
    y.mul(tensor([1, 2, 3]))
      .sum()
      .backward();
    expect(leaf.grad!.tolist()).toEqual([1, 0, 3, 1, 0, 3]);
    expect(v.grad!.tolist()).toEqual([2, 2]);
  });

  it('an in-place write on a leaf that requires grad raises, as PyTorch', () => {
    const leaf = zeros([3], { requiresGrad: true });
    expect(() => leaf.setIndex([0], 1)).toThrow(/a leaf Variable that requires grad is being used in an in-place/);
    expect(() => leaf.scatter_(0, ints([0]), 1)).toThrow(/leaf Variable/);
    expect(() => leaf.indexFill_(0, ints([0]), 1)).toThrow(/leaf Variable/);
  });

  it('values broadcast to the selection; leading size-1 dims are dropped; a mismatch names both shapes', () => {
    const x = zeros([3, 4]);
    x.setIndex([null, [1, 3]], tensor([[1, 2]]));
    expect(x.index(0).tolist()).toEqual([0, 1, 2, 0]);
    x.setIndex([1], tensor([[[5, 6, 7, 8]]]));
    expect(x.index(1).tolist()).toEqual([5, 6, 7, 8]);
    expect(() => x.setIndex([null, [0, 2]], tensor([1, 2, 3]))).toThrow(
      'shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [3, 2]',
    );
  });

  it('setIndex casts values to the tensor dtype; indexPut requires matching dtypes', () => {
    const x = zeros([3], { dtype: 'int32' });
    x.setIndex([ints([0, 2])], tensor([1.7, -2.5]));
    expect(x.tolist()).toEqual([1, 0, -2]);
    expect(() => indexPut(x, [ints([0])], tensor([1.5]))).toThrow(
      'Index put requires the source and destination dtypes match, got int32 for the destination and float32 for the source.',
    );
  });

  it('an out-of-range index entry writes nowhere (no readback to raise); the others land', () => {
    const x = zeros([4]);
    const at = ints([1, 7, -1]);
    const values = tensor([1, 2, 3]);
    const before = memory().handles;
    const out = indexPut(x, [at], values);
    expect(out.tolist()).toEqual([0, 1, 0, 3]);
    out.dispose();
    expect(memory().handles).toBe(before);
  });

  it('slices write by padding (no scatter); one index tensor scatters its rows along its dim, not every element', () => {
    const scatterKernel = vi.spyOn(cpuBackend.kernels, 'scatter');
    try {
      const x = zeros([64, 32]);
      x.setIndex([null, [1, 9]], 1);
      x.setIndex([[2, 40]], tensor([2]));
      expect(scatterKernel).not.toHaveBeenCalled();
      x.setIndex([[null, null, 3]], 5);
      // The strided slice scatters its 22 rows along dim 0.
      expect(scatterKernel.mock.calls.at(-1)![2].shape).toEqual([22, 32]);
      x.setIndex([null, ints([3, 0])], tensor([[7]]));
      expect(scatterKernel.mock.calls.at(-1)![1]).toBe(1);
      expect(scatterKernel.mock.calls.at(-1)![2].shape).toEqual([64, 2]);
      // Row 3: all 5 from the strided write, then columns 3 and 0 set to 7; row 1 keeps the first write.
      expect(x.index(3).index([0, 4]).tolist()).toEqual([7, 5, 5, 7]);
      expect(x.index(1).index([0, 10]).tolist()).toEqual([7, 1, 1, 7, 1, 1, 1, 1, 1, 0]);
      expect(x.index(2).index([0, 4]).tolist()).toEqual([7, 2, 2, 7]);
    } finally {
      scatterKernel.mockRestore();
    }
  });

  it('accumulate sums duplicates; an overwrite keeps the last duplicate', () => {
    const x = zeros([3]);
    expect(x.indexPut([ints([1, 1, 1])], tensor([1, 2, 4]), true).tolist()).toEqual([0, 7, 0]);
    expect(x.indexPut([ints([1, 1, 1])], tensor([1, 2, 4])).tolist()).toEqual([0, 4, 0]);
  });
});

describe('scatter with reduce', () => {
  it("has a gradient (PyTorch 1.13 has none): multiply's is the product rule", () => {
    const x = tensor([[2, 3]], { requiresGrad: true });
    const src = tensor([[4, 5]], { requiresGrad: true });
    const out = scatter(x, 1, ints([[0, 0]]), src, { reduce: 'multiply' });
    expect(out.tolist()).toEqual([[40, 3]]);
    out.sum().backward();
    expect(x.grad!.tolist()).toEqual([[20, 1]]);
    expect(src.grad!.tolist()).toEqual([[10, 8]]);
  });
});

describe('scatter and friends: argument errors', () => {
  it("scatter's reduce and scatterReduce's reduce are checked; shapes follow PyTorch's rules", () => {
    const x = zeros([2, 3]);
    expect(() => scatter(x, 1, ints([[0]]), 1, { reduce: 'max' as 'add' })).toThrow(
      "scatter(): reduce argument must be either add or multiply (got 'max')",
    );
    expect(() => scatterReduce(x, 1, ints([[0]]), zeros([1, 1]), 'max' as 'amax')).toThrow(
      'reduce argument must be either sum, prod, mean, amax or amin, got max',
    );
    expect(() => scatter(x, 1, ints([0]), zeros([1]))).toThrow(
      'Index tensor must have the same number of dimensions as self and src',
    );
    expect(() => scatter(x, 0, ints([[0, 0, 0, 0]]), zeros([1, 4]))).toThrow(
      'Expected index [1, 4] to be smaller than self [2, 3] apart from dimension 0',
    );
    expect(() => x.indexAdd(0, ints([0, 1]), zeros([1, 3]))).toThrow(
      'Number of indices (2) should be equal to source.size(dim) (1)',
    );
    expect(() => x.indexCopy(1, ints([0]), zeros([3, 1]))).toThrow(
      'source tensor shape must match self tensor shape, excluding the specified dimension',
    );
  });

  it('narrow checks its range as PyTorch (slice would clamp)', () => {
    const x = zeros([3, 4]);
    expect(() => narrow(x, 1, 2, 3)).toThrow('start (2) + length (3) exceeds dimension size (4).');
    expect(() => x.narrow(0, 4, 0)).toThrow('start (4) out of range');
    expect([...x.narrow(1, -2, 2).shape]).toEqual([3, 2]);
  });
});
