/**
 * torch.utils.data samplers: iterables of dataset indices (BatchSampler: of index lists). Random
 * samplers draw from a Flint Generator (default: the global one, seeded by manualSeed), on the
 * host; PyTorch's streams differ (mt19937), so the orders are Flint's own but reproducible.
 */
import { defaultGenerator, type Generator } from '../random.js';

/** Anything with a length: what the samplers index. */
interface Sized {
  readonly length: number;
}

/** A source of indices (torch.utils.data.Sampler): iterable, with a length. */
export abstract class Sampler<I = number> implements Iterable<I> {
  abstract readonly length: number;
  abstract [Symbol.iterator](): Iterator<I>;
}

function checkSized(what: string, dataSource: Sized): void {
  if (dataSource === null || typeof dataSource !== 'object' || typeof dataSource.length !== 'number')
    throw new TypeError(`${what}: expected a dataset (anything with a numeric length)`);
}

/** 0, 1, ..., length - 1. */
export class SequentialSampler extends Sampler {
  readonly dataSource: Sized;
  constructor(dataSource: Sized) {
    super();
    checkSized('SequentialSampler', dataSource);
    this.dataSource = dataSource;
  }
  get length(): number {
    return this.dataSource.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.dataSource.length; i++) yield i;
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (default false). */
  replacement?: boolean;
  /** Samples per epoch (default: the dataset's length; without replacement more than that repeats whole permutations). */
  numSamples?: number;
  generator?: Generator;
}

/**
 * Random order. Without replacement: a fresh permutation per pass (numSamples > length chains
 * permutations, then a partial one, as PyTorch); with replacement: numSamples independent draws.
 */
export class RandomSampler extends Sampler {
  readonly dataSource: Sized;
  readonly replacement: boolean;
  readonly generator: Generator;
  private readonly fixedNumSamples: number | undefined;

  constructor(dataSource: Sized, options: RandomSamplerOptions = {}) {
    super();
    checkSized('RandomSampler', dataSource);
    const { replacement = false, numSamples, generator } = options;
    if (typeof replacement !== 'boolean')
      throw new TypeError(`replacement should be a boolean value, but got replacement=${String(replacement)}`);
    if (numSamples !== undefined && (!Number.isInteger(numSamples) || numSamples <= 0))
      throw new Error(`num_samples should be a positive integer value, but got num_samples=${numSamples}`);
    this.dataSource = dataSource;
    this.replacement = replacement;
    this.fixedNumSamples = numSamples;
    this.generator = generator ?? defaultGenerator;
  }

  get numSamples(): number {
    return this.fixedNumSamples ?? this.dataSource.length;
  }

  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    const total = this.numSamples;
    if (n === 0) return;
    if (this.replacement) {
      for (let i = 0; i < total; i++) yield this.generator.randint(0, n);
      return;
    }
    for (let k = 0; k < Math.floor(total / n); k++) yield* this.generator.randperm(n);
    const rest = total % n;
    if (rest > 0) yield* this.generator.randperm(n).subarray(0, rest);
  }
}

/** The given indices in a random order (a new one each pass), e.g. a validation fold. */
export class SubsetRandomSampler extends Sampler {
  readonly indices: readonly number[];
  readonly generator: Generator;
  constructor(indices: Iterable<number>, generator: Generator = defaultGenerator) {
    super();
    this.indices = Object.freeze(Array.from(indices));
    this.indices.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0)
        throw new Error(`SubsetRandomSampler: index ${i} is ${v}, expected a non-negative integer`);
    });
    this.generator = generator;
  }
  get length(): number {
    return this.indices.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const i of this.generator.randperm(this.indices.length)) yield this.indices[i]!;
  }
}

export interface WeightedRandomSamplerOptions {
  /** Draw with replacement (default true). */
  replacement?: boolean;
  generator?: Generator;
}

/**
 * Indices 0..weights.length-1 drawn with probability proportional to weights (torch.multinomial's
 * semantics): with replacement, numSamples independent draws; without, numSamples distinct indices
 * (weighted sampling without replacement; needs that many non-zero weights). The usual way to
 * balance classes: weights[i] = 1 / count(label[i]).
 */
export class WeightedRandomSampler extends Sampler {
  readonly weights: Float64Array;
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator: Generator;
  private readonly cumulative: Float64Array;

  constructor(weights: ArrayLike<number>, numSamples: number, options: WeightedRandomSamplerOptions = {}) {
    super();
    const { replacement = true, generator } = options;
    if (!Number.isInteger(numSamples) || numSamples <= 0)
      throw new Error(`num_samples should be a positive integer value, but got num_samples=${numSamples}`);
    if (typeof replacement !== 'boolean')
      throw new TypeError(`replacement should be a boolean value, but got replacement=${String(replacement)}`);
    const w = Float64Array.from(weights);
    if (w.length === 0) throw new Error('WeightedRandomSampler: weights is empty');
    let positive = 0;
    w.forEach((v, i) => {
      if (!(Number.isFinite(v) && v >= 0))
        throw new Error(`WeightedRandomSampler: weights[${i}] is ${v}; weights must be finite and non-negative`);
      if (v > 0) positive++;
    });
    if (positive === 0) throw new Error('WeightedRandomSampler: the weights sum to 0');
    if (!replacement && numSamples > positive)
      throw new Error(
        `WeightedRandomSampler: cannot draw ${numSamples} samples without replacement from ${positive} non-zero weights`,
      );
    this.weights = w;
    this.numSamples = numSamples;
    this.replacement = replacement;
    this.generator = generator ?? defaultGenerator;
    this.cumulative = new Float64Array(w.length);
    let sum = 0;
    w.forEach((v, i) => {
      sum += v;
      this.cumulative[i] = sum;
    });
  }

  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const c = this.cumulative;
    const total = c[c.length - 1]!;
    if (this.replacement) {
      for (let k = 0; k < this.numSamples; k++) {
        // The first index whose cumulative weight exceeds u (binary search).
        const u = this.generator.random() * total;
        let lo = 0;
        let hi = c.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (c[mid]! > u) hi = mid;
          else lo = mid + 1;
        }
        yield lo;
      }
      return;
    }
    // Without replacement: the numSamples largest keys u^(1/w) (Efraimidis–Spirakis), in key order,
    // which is the order successive weighted draws without replacement would produce.
    const keys: [number, number][] = [];
    this.weights.forEach((w, i) => {
      if (w > 0) keys.push([Math.log(this.generator.random() || Number.MIN_VALUE) / w, i]);
    });
    keys.sort((a, b) => b[0] - a[0]);
    for (let k = 0; k < this.numSamples; k++) yield keys[k]![1];
  }
}

/** Groups the indices of `sampler` into lists of batchSize (the last one shorter unless dropLast). */
export class BatchSampler extends Sampler<number[]> {
  readonly sampler: Iterable<number> & { readonly length: number };
  readonly batchSize: number;
  readonly dropLast: boolean;

  constructor(sampler: Iterable<number> & { readonly length: number }, batchSize: number, dropLast = false) {
    super();
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new Error(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    if (typeof dropLast !== 'boolean')
      throw new TypeError(`drop_last should be a boolean value, but got drop_last=${String(dropLast)}`);
    if (sampler === null || typeof sampler !== 'object' || typeof sampler[Symbol.iterator] !== 'function')
      throw new TypeError('BatchSampler: sampler must be an iterable of indices with a length');
    this.sampler = sampler;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
  }

  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
