import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { Generator, arange, memory, tensor, type Tensor } from '../index.js';
import {
  BatchSampler,
  ConcatDataset,
  DataLoader,
  Dataset,
  IterableDataset,
  RandomSampler,
  SequentialSampler,
  SubsetRandomSampler,
  TensorDataset,
  WeightedRandomSampler,
} from './index.js';

const sized = (length: number) => ({ length });
const sorted = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

class Numbers extends Dataset<number> {
  constructor(
    readonly length: number,
    readonly offset = 0,
  ) {
    super();
  }
  get(i: number): number {
    if (i < 0 || i >= this.length) throw new RangeError(`Numbers: ${i}`);
    return this.offset + i;
  }
}

describe('samplers', () => {
  it('SequentialSampler: 0..n-1', () => {
    const s = new SequentialSampler(sized(4));
    expect([...s]).toEqual([0, 1, 2, 3]);
    expect(s.length).toBe(4);
  });

  it('RandomSampler: a permutation per pass, reproducible from its generator, new each pass', () => {
    const s = new RandomSampler(sized(10), { generator: new Generator(5) });
    const a = [...s];
    const b = [...s];
    expect(sorted(a)).toEqual(range(10));
    expect(sorted(b)).toEqual(range(10));
    expect(a).not.toEqual(b);
    expect([...new RandomSampler(sized(10), { generator: new Generator(5) })]).toEqual(a);
  });

  it('RandomSampler: numSamples beyond the length chains permutations, then a partial one', () => {
    const s = new RandomSampler(sized(4), { numSamples: 10, generator: new Generator(1) });
    const out = [...s];
    expect(s.length).toBe(10);
    expect(out.length).toBe(10);
    expect(sorted(out.slice(0, 4))).toEqual(range(4));
    expect(sorted(out.slice(4, 8))).toEqual(range(4));
    expect(new Set(out.slice(8)).size).toBe(2);
  });

  it('RandomSampler with replacement: numSamples draws in range, repeats, roughly uniform', () => {
    const s = new RandomSampler(sized(5), { replacement: true, numSamples: 5000, generator: new Generator(2) });
    const counts = new Array<number>(5).fill(0);
    for (const i of s) counts[i]! += 1;
    for (const c of counts) expect(Math.abs(c / 5000 - 0.2)).toBeLessThan(0.03);
    expect(() => new RandomSampler(sized(3), { numSamples: 0 })).toThrow(
      'num_samples should be a positive integer value, but got num_samples=0',
    );
  });

  it('SubsetRandomSampler: the given indices in a random order', () => {
    const s = new SubsetRandomSampler([3, 9, 4, 7], new Generator(3));
    expect(sorted(s)).toEqual([3, 4, 7, 9]);
    expect(s.length).toBe(4);
    expect(() => new SubsetRandomSampler([1, -2])).toThrow('index 1 is -2');
  });

  it('WeightedRandomSampler with replacement: frequencies follow the weights; zero weights never drawn', () => {
    const weights = [1, 2, 0, 7];
    const s = new WeightedRandomSampler(weights, 20000, { generator: new Generator(4) });
    const counts = new Array<number>(4).fill(0);
    for (const i of s) counts[i]! += 1;
    expect(counts[2]).toBe(0);
    [0.1, 0.2, 0, 0.7].forEach((p, i) => {
      expect(Math.abs(counts[i]! / 20000 - p), `index ${i}`).toBeLessThan(0.015);
    });
  });

  it('WeightedRandomSampler without replacement: distinct indices; the first draw follows the weights', () => {
    const g = new Generator(6);
    const first = new Array<number>(4).fill(0);
    for (let t = 0; t < 4000; t++) {
      const out = [...new WeightedRandomSampler([1, 3, 0, 6], 3, { replacement: false, generator: g })];
      expect(sorted(out)).toEqual([0, 1, 3]);
      first[out[0]!]! += 1;
    }
    [0.1, 0.3, 0, 0.6].forEach((p, i) => {
      expect(Math.abs(first[i]! / 4000 - p), `index ${i}`).toBeLessThan(0.03);
    });
    expect(() => new WeightedRandomSampler([1, 0, 2], 3, { replacement: false })).toThrow(
      'cannot draw 3 samples without replacement from 2 non-zero weights',
    );
    expect(() => new WeightedRandomSampler([1, -1], 2)).toThrow('weights[1] is -1');
    expect(() => new WeightedRandomSampler([0, 0], 2)).toThrow('the weights sum to 0');
  });

  it('BatchSampler: batches of indices, the last shorter unless dropLast', () => {
    const seq = new SequentialSampler(sized(7));
    expect([...new BatchSampler(seq, 3)]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(new BatchSampler(seq, 3).length).toBe(3);
    expect([...new BatchSampler(seq, 3, true)]).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(new BatchSampler(seq, 3, true).length).toBe(2);
    expect(() => new BatchSampler(seq, 0)).toThrow('batch_size should be a positive integer value');
  });
});

describe('ConcatDataset and IterableDataset', () => {
  it('ConcatDataset indexes across its parts; negative indices count from the end', () => {
    const c = new ConcatDataset([new Numbers(3), new Numbers(0), new Numbers(2, 100)]);
    expect(c.length).toBe(5);
    expect(c.cumulativeSizes).toEqual([3, 3, 5]);
    expect([...c]).toEqual([0, 1, 2, 100, 101]);
    expect(c.get(-1)).toBe(101);
    expect(c.get(-5)).toBe(0);
    expect(() => c.get(5)).toThrow('ConcatDataset: index 5 is out of range for a dataset of length 5');
    expect(() => new ConcatDataset([])).toThrow('datasets should not be an empty iterable');
  });

  it('DataLoader batches an IterableDataset in its order; dropLast; per-sample tensors are freed', () => {
    class Stream extends IterableDataset<[Tensor, number]> {
      *[Symbol.iterator]() {
        for (let i = 0; i < 7; i++) yield [tensor([i, -i]), i] as [Tensor, number];
      }
    }
    const handles = memory().handles;
    const loader = new DataLoader(new Stream(), { batchSize: 3, autoDispose: true });
    const seen: number[][] = [];
    for (const [x, y] of loader) {
      expect(x.shape[1]).toBe(2);
      seen.push(Array.from(y.dataSync()));
    }
    expect(seen).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(memory().handles).toBe(handles);
    const dropped = new DataLoader(new Stream(), { batchSize: 3, dropLast: true, autoDispose: true });
    expect([...dropped].length).toBe(2);
    expect(() => dropped.length).toThrow('the IterableDataset has no length');
    expect(() => new DataLoader(new Stream(), { shuffle: true })).toThrow(
      'DataLoader with IterableDataset: expected unspecified shuffle option',
    );
  });
});

describe('DataLoader with samplers', () => {
  const make = (n: number) => {
    const x = arange(0, n).unsqueeze(1);
    const y = arange(0, n, 1, { dtype: 'int32' });
    return new TensorDataset(x, y);
  };
  const labels = (loader: Iterable<Tensor[]>) => [...loader].map(([, y]) => Array.from(y!.dataSync()));

  it('sampler decides the order (TensorDataset gather path and get() path alike)', () => {
    const ds = make(10);
    const order = [9, 2, 5, 0];
    const fixed = { length: order.length, [Symbol.iterator]: () => order[Symbol.iterator]() };
    expect(labels(new DataLoader(ds, { sampler: fixed, batchSize: 3 }))).toEqual([[9, 2, 5], [0]]);
    const viaGet = new DataLoader(new Numbers(10), { sampler: fixed, batchSize: 3 });
    expect([...viaGet].map((b) => Array.from(b.dataSync()))).toEqual([[9, 2, 5], [0]]);
    const sub = new DataLoader(ds, { sampler: new SubsetRandomSampler([1, 3, 5], new Generator(0)), batchSize: 2 });
    expect(sorted(labels(sub).flat())).toEqual([1, 3, 5]);
    expect(sub.length).toBe(2);
  });

  it('batchSampler gives whole batches; collateFn shapes them', () => {
    const ds = new Numbers(6);
    const batches = [[5, 4], [0], [1, 2, 3]];
    const loader = new DataLoader(ds, {
      batchSampler: { length: 3, [Symbol.iterator]: () => batches[Symbol.iterator]() },
      collateFn: (xs: number[]) => xs.join(','),
    });
    expect([...loader]).toEqual(['5,4', '0', '1,2,3']);
    expect(loader.length).toBe(3);
    expect(loader.batchSize).toBeNull();
    const bs = new DataLoader(ds, {
      batchSampler: new BatchSampler(new SequentialSampler(ds), 4),
      collateFn: (xs) => xs,
    });
    expect([...bs]).toEqual([
      [0, 1, 2, 3],
      [4, 5],
    ]);
  });

  it('shuffle with a seeded generator is reproducible; a WeightedRandomSampler can balance classes', () => {
    const ds = make(12);
    const a = labels(new DataLoader(ds, { shuffle: true, batchSize: 5, generator: new Generator(11) }));
    const b = labels(new DataLoader(ds, { shuffle: true, batchSize: 5, generator: new Generator(11) }));
    expect(a).toEqual(b);
    expect(sorted(a.flat())).toEqual(range(12));
    // 10 samples of class 0, 2 of class 1: weights 1/count make the classes equally likely.
    const cls = range(12).map((i) => (i < 10 ? 0 : 1));
    const w = cls.map((c) => (c === 0 ? 1 / 10 : 1 / 2));
    const drawn = labels(
      new DataLoader(ds, {
        sampler: new WeightedRandomSampler(w, 4000, { generator: new Generator(3) }),
        batchSize: 100,
      }),
    ).flat();
    const ones = drawn.filter((i) => cls[i] === 1).length;
    expect(Math.abs(ones / 4000 - 0.5)).toBeLessThan(0.03);
  });

  it("PyTorch's option conflicts and numWorkers validation", () => {
    const ds = make(4);
    const s = new SequentialSampler(ds);
    expect(() => new DataLoader(ds, { sampler: s, shuffle: true })).toThrow(
      'sampler option is mutually exclusive with shuffle',
    );
    expect(() => new DataLoader(ds, { batchSampler: new BatchSampler(s, 2), batchSize: 2 })).toThrow(
      'batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last',
    );
    expect(() => new DataLoader(ds, { batchSampler: new BatchSampler(s, 2), dropLast: true })).toThrow(
      'mutually exclusive',
    );
    expect(() => new DataLoader(ds, { numWorkers: -1 })).toThrow('num_workers option should be non-negative');
    expect(labels(new DataLoader(ds, { batchSize: 2, numWorkers: 4 }))).toEqual([
      [0, 1],
      [2, 3],
    ]);
    const bad = { length: 1, [Symbol.iterator]: () => [7][Symbol.iterator]() };
    expect(() => [...new DataLoader(ds, { sampler: bad })]).toThrow(
      'DataLoader: index 7 from the sampler is out of range for a dataset of length 4',
    );
  });
});
