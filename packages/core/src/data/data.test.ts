import '@flint/backend-cpu';
import { describe, expect, it, vi } from 'vitest';
import { Generator, arange, getBackend, manualSeed, memory, tensor, tidy, type Tensor } from '../index.js';
import { DataLoader, Dataset, Subset, TensorDataset, defaultCollate, randomSplit } from './index.js';

const rows = (t: Tensor): number[] => Array.from(t.dataSync());

function makeData(n: number) {
  // x[i] = [i, 100 + i], y[i] = i (int32 labels)
  const x = arange(0, n)
    .unsqueeze(1)
    .repeat(1, 2)
    .add(tensor([0, 100]));
  const y = arange(0, n, 1, { dtype: 'int32' });
  return { x, y, ds: new TensorDataset(x, y) };
}

function epochLabels<T>(loader: DataLoader<T, Tensor[]>): number[][] {
  const out: number[][] = [];
  for (const [, y] of loader) out.push(rows(y!));
  return out;
}

class Squares extends Dataset<[Tensor, number]> {
  constructor(readonly length: number) {
    super();
  }
  get(i: number): [Tensor, number] {
    return [tensor([i, i * i]), i / 2];
  }
}

describe('TensorDataset', () => {
  it('length and rows; size mismatch is an error', () => {
    const { ds, x } = makeData(5);
    expect(ds.length).toBe(5);
    const [xi, yi] = ds.get(3);
    expect(rows(xi!)).toEqual([3, 103]);
    expect(yi!.shape).toEqual([]);
    expect(yi!.item()).toBe(3);
    expect(() => ds.get(5)).toThrow('index 5 is out of range for a dataset of length 5');
    expect(() => new TensorDataset(x, arange(4))).toThrow('Size mismatch between tensors');
    expect([...ds].length).toBe(5);
  });
});

describe('DataLoader', () => {
  it('batches in order with a partial last batch', () => {
    const { ds } = makeData(10);
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([x]) => x!.shape)).toEqual([
      [4, 2],
      [4, 2],
      [2, 2],
    ]);
    expect(batches.map(([, y]) => rows(y!))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(rows(batches[2]![0]!)).toEqual([8, 108, 9, 109]);
    expect(batches[0]![1]!.dtype).toBe('int32');
  });

  it('dropLast drops the partial batch; batchSize defaults to 1', () => {
    const { ds } = makeData(10);
    const loader = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(epochLabels(loader)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    const single = new DataLoader(ds);
    expect(single.length).toBe(10);
    expect(epochLabels(single)[9]).toEqual([9]);
    expect(new DataLoader(ds, { batchSize: 5, dropLast: true }).length).toBe(2);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow('batch_size should be a positive integer value');
  });

  it('shuffles: every sample once per epoch, a new order each epoch, reproducible from the seed', () => {
    const { ds } = makeData(20);
    const run = (seed: number) => {
      manualSeed(seed);
      const loader = new DataLoader(ds, { batchSize: 6, shuffle: true });
      return [epochLabels(loader), epochLabels(loader)];
    };
    const [e1, e2] = run(7);
    expect(e1!.flat().sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(e1!.map((b) => b.length)).toEqual([6, 6, 6, 2]);
    expect(e1!.flat()).not.toEqual([...Array(20).keys()]);
    expect(e2!.flat()).not.toEqual(e1!.flat());
    expect(run(7)).toEqual([e1, e2]);
    expect(run(8)[0]).not.toEqual(e1);
    // An explicit generator is independent of the global one.
    const a = epochLabels(new DataLoader(ds, { batchSize: 20, shuffle: true, generator: new Generator(3) }));
    manualSeed(99);
    const b = epochLabels(new DataLoader(ds, { batchSize: 20, shuffle: true, generator: new Generator(3) }));
    expect(a).toEqual(b);
    // Rows of x and y stay paired.
    for (const [x, y] of new DataLoader(ds, { batchSize: 7, shuffle: true })) {
      expect(rows(x!).filter((_, i) => i % 2 === 0)).toEqual(rows(y!));
    }
  });

  it('a TensorDataset is batched with one indexSelect per tensor and one index upload per batch', () => {
    const { ds } = makeData(9);
    const kernels = getBackend('cpu').kernels;
    const indexSelect = vi.spyOn(kernels, 'indexSelect');
    const write = vi.spyOn(kernels, 'write');
    const loader = new DataLoader(ds, { batchSize: 4, shuffle: true });
    const batches = [...loader];
    expect(indexSelect).toHaveBeenCalledTimes(3 * 2);
    expect(write).toHaveBeenCalledTimes(3);
    indexSelect.mockRestore();
    write.mockRestore();
    for (const b of batches)
      b.forEach((t) => {
        t.dispose();
      });
  });

  it('Subsets of a TensorDataset use the same gather path', () => {
    const { ds } = makeData(10);
    const sub = new Subset(new Subset(ds, [9, 8, 7, 6, 5, 4]), [5, 0, 2]);
    const spy = vi.spyOn(ds, 'get');
    expect(epochLabels(new DataLoader(sub, { batchSize: 2 }))).toEqual([[4, 9], [7]]);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('default collate for custom datasets: tensors stacked, numbers to float32, nested structures', () => {
    const loader = new DataLoader(new Squares(5), { batchSize: 2 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches[1]![0].shape).toEqual([2, 2]);
    expect(rows(batches[1]![0])).toEqual([2, 4, 3, 9]);
    expect(batches[1]![1].dtype).toBe('float32');
    expect(rows(batches[2]![1])).toEqual([2]);
    const c = defaultCollate([
      { a: 1, b: [true, 'x'], c: new Int32Array([1, 2]) },
      { a: 2, b: [false, 'y'], c: new Int32Array([3, 4]) },
    ] as const);
    expect(rows(c.a)).toEqual([1, 2]);
    expect(c.b[0].dtype).toBe('bool');
    expect(c.b[1]).toEqual(['x', 'y']);
    expect(c.c.shape).toEqual([2, 2]);
    expect(c.c.dtype).toBe('int32');
    expect(() => defaultCollate([new Date()])).toThrow('default_collate: batch must contain');
  });

  it("a plain array is a dataset, as a Python list is for PyTorch's DataLoader (it was refused)", () => {
    const samples: [Tensor, number][] = [0, 1, 2, 3, 4].map((i) => [tensor([i, i * i]), i / 2]);
    const loader = new DataLoader(samples, { batchSize: 2 });
    expect([loader.length, loader.dataset.length]).toEqual([3, 5]);
    const batches = [...loader];
    expect(rows(batches[1]![0])).toEqual([2, 4, 3, 9]);
    expect(rows(batches[2]![1])).toEqual([2]);
    manualSeed(3);
    const seen = [...new DataLoader([10, 11, 12, 13], { batchSize: 4, shuffle: true })].flatMap(rows);
    expect(seen.sort()).toEqual([10, 11, 12, 13]);
    expect(() => new DataLoader('abc' as unknown as number[])).toThrow(
      'DataLoader: dataset must be an array, have a numeric length and a get(index) method, or be an IterableDataset',
    );
  });

  it('custom collateFn decides the batch type', () => {
    const loader = new DataLoader(new Squares(3), { batchSize: 3, collateFn: (s) => s.map(([, v]) => v) });
    expect([...loader]).toEqual([[0, 0.5, 1]]);
  });

  it('per-sample tensors are freed by the collate tidy; batches are owned by the caller or autoDisposed', () => {
    const ds = new Squares(10);
    const before = memory().handles;
    const loader = new DataLoader(ds, { batchSize: 3 });
    const batches = [...loader];
    expect(memory().handles - before).toBe(2 * batches.length);
    for (const b of batches)
      b.forEach((t) => {
        t.dispose();
      });
    expect(memory().handles).toBe(before);

    const { ds: tds, x, y } = makeData(10);
    const base = memory().handles;
    const auto = new DataLoader(tds, { batchSize: 3, autoDispose: true, shuffle: true });
    let seen = 0;
    for (const [bx] of auto) {
      expect(memory().handles).toBe(base + 2);
      seen += bx!.shape[0]!;
      tidy(() => {
        bx!.sum();
      });
    }
    expect(seen).toBe(10);
    expect(memory().handles).toBe(base);
    for (const [bx] of auto) {
      expect(bx!.isDisposed).toBe(false);
      break;
    }
    expect(memory().handles).toBe(base);
    x.dispose();
    y.dispose();
  });
});

describe('randomSplit and Subset', () => {
  it('splits by lengths into disjoint subsets covering the dataset, reproducibly', () => {
    const { ds } = makeData(10);
    const [a, b] = randomSplit(ds, [7, 3], new Generator(42));
    expect([a!.length, b!.length]).toEqual([7, 3]);
    expect([...a!.indices, ...b!.indices].sort((p, q) => p - q)).toEqual([...Array(10).keys()]);
    const [a2] = randomSplit(ds, [7, 3], new Generator(42));
    expect(a2!.indices).toEqual(a!.indices);
    const [, y] = b!.get(0);
    expect(y!.item()).toBe(b!.indices[0]);
    expect(() => randomSplit(ds, [5, 4])).toThrow(
      'Sum of input lengths (9) does not equal the length of the input dataset (10)!',
    );
  });

  it('splits by fractions as PyTorch (floor, then the remainder round robin)', () => {
    const { ds } = makeData(10);
    expect(randomSplit(ds, [0.33, 0.33, 0.34]).map((s) => s.length)).toEqual([4, 3, 3]);
    expect(randomSplit(ds, [0.5, 0.5]).map((s) => s.length)).toEqual([5, 5]);
    expect(randomSplit(ds, [0.25, 0.75]).map((s) => s.length)).toEqual([3, 7]);
    expect(randomSplit(makeData(1).ds, [0.5, 0.5]).map((s) => s.length)).toEqual([1, 0]);
  });

  it('Subset validates indices', () => {
    const { ds } = makeData(3);
    expect(() => new Subset(ds, [0, 3])).toThrow('Subset: index 3 is out of range');
    expect(new Subset(ds, [2, 0]).get(1)[1]!.item()).toBe(0);
  });
});
