/** torch.utils.data.DataLoader: batching, shuffling, samplers, collation. */
import { Tensor } from '../tensor/tensor.js';
import { fromArray, tensor } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { stack } from '../ops/layout.js';
import { defaultGenerator, type Generator } from '../random.js';
import { IterableDataset, Subset, TensorDataset, type DatasetLike } from './dataset.js';
import { BatchSampler, RandomSampler, SequentialSampler } from './sampler.js';
import { checkOptionKeys } from '../options.js';

/** What the default collate makes of a batch of samples of type T. */
export type Collated<T> = T extends Tensor | number | boolean
  ? Tensor
  : T extends string
    ? string[]
    : T extends ArrayBufferView
      ? Tensor
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : T[];

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit the samples in a new random order every epoch (default false; a RandomSampler). */
  shuffle?: boolean;
  /** The indices to visit, in order (default: SequentialSampler, or RandomSampler with shuffle). */
  sampler?: Iterable<number> & { readonly length: number };
  /** Lists of indices, one per batch (excludes batchSize, shuffle, sampler and dropLast). */
  batchSampler?: Iterable<readonly number[]> & { readonly length: number };
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Source of the shuffling permutations (default: the global generator, seeded by manualSeed). */
  generator?: Generator;
  /**
   * Accepted for PyTorch compatibility and ignored: batches are made on the calling thread (see
   * the README: a worker thread cannot run a dataset's get() or touch its tensors, and for
   * in-memory datasets the measured batch time is a small fraction of a training step).
   */
  numWorkers?: number;
  /** Turns a list of samples into a batch (default: defaultCollate). */
  collateFn?: (samples: T[]) => B;
  /**
   * Dispose the tensors of each batch when the next batch is requested and when the iteration
   * ends (also on break). Default false: batches belong to the caller.
   */
  autoDispose?: boolean;
}

/**
 * PyTorch's default_collate: Tensors are stacked along a new first dim; numbers become a float32
 * tensor (JavaScript has no integer type: return int32 tensors from the dataset, or pass a
 * collateFn, for integer labels); booleans a bool tensor; typed arrays (same length) a [B, len]
 * tensor of their dtype; strings stay a string[]; arrays/tuples and plain objects are collated
 * position by position / key by key.
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (samples.length === 0) throw new Error('default_collate: received an empty batch');
  const first = samples[0] as unknown;
  const kindError = (i: number, v: unknown): Error =>
    new TypeError(
      `default_collate: batch element ${i} has a different type (${describe(v)}) than element 0 (${describe(first)})`,
    );
  if (first instanceof Tensor) {
    samples.forEach((s, i) => {
      if (!(s instanceof Tensor)) throw kindError(i, s);
    });
    return stack(samples as unknown as Tensor[], 0) as Collated<T>;
  }
  if (typeof first === 'number' || typeof first === 'boolean') {
    samples.forEach((s, i) => {
      if (typeof s !== typeof first) throw kindError(i, s);
    });
    return tensor(samples as unknown as number[]) as Collated<T>;
  }
  if (typeof first === 'string') {
    samples.forEach((s, i) => {
      if (typeof s !== 'string') throw kindError(i, s);
    });
    return [...samples] as Collated<T>;
  }
  if (ArrayBuffer.isView(first) && !(first instanceof DataView)) {
    const len = (first as unknown as ArrayLike<number>).length;
    const isFloat = first instanceof Float32Array || first instanceof Float64Array;
    const out = isFloat ? new Float32Array(samples.length * len) : new Int32Array(samples.length * len);
    samples.forEach((s, i) => {
      if (!ArrayBuffer.isView(s) || (s as unknown as ArrayLike<number>).length !== len) {
        throw new Error(
          `default_collate: each typed array in the batch should be of equal size (element 0 has ${len} values, element ${i} ${describe(s)})`,
        );
      }
      out.set(s as unknown as ArrayLike<number>, i * len);
    });
    return fromArray(out, [samples.length, len]) as Collated<T>;
  }
  if (Array.isArray(first)) {
    const len = first.length;
    samples.forEach((s, i) => {
      if (!Array.isArray(s) || s.length !== len)
        throw new Error(
          `default_collate: each element in list of batch should be of equal size (element 0 has ${len}, element ${i} ${Array.isArray(s) ? s.length : describe(s)})`,
        );
    });
    return first.map((_, k) => defaultCollate((samples as unknown as unknown[][]).map((s) => s[k]))) as Collated<T>;
  }
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      out[k] = defaultCollate(
        samples.map((s, i) => {
          if (s === null || typeof s !== 'object' || !(k in s))
            throw new Error(`default_collate: batch element ${i} has no key '${k}'`);
          return (s as Record<string, unknown>)[k];
        }),
      );
    }
    return out as Collated<T>;
  }
  throw new TypeError(
    `default_collate: batch must contain Tensors, numbers, booleans, strings, typed arrays, arrays or plain objects; found ${describe(first)}`,
  );
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `Tensor${JSON.stringify(v.shape)}`;
  if (Array.isArray(v)) return `array of length ${v.length}`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/** A TensorDataset, possibly behind Subsets: batches can be gathered from its tensors directly. */
function tensorRows(
  dataset: DatasetLike<unknown>,
): { base: TensorDataset; map: ((i: number) => number) | null } | null {
  if (dataset instanceof TensorDataset) return { base: dataset, map: null };
  if (dataset instanceof Subset) {
    const inner = tensorRows(dataset.dataset);
    if (inner === null) return null;
    const indices = dataset.indices;
    const innerMap = inner.map;
    return { base: inner.base, map: innerMap === null ? (i) => indices[i]! : (i) => innerMap(indices[i]!) };
  }
  return null;
}

function disposeTensors(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Tensor) value.dispose();
  else if (Array.isArray(value)) for (const v of value) disposeTensors(v, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) disposeTensors(v, seen);
}

const DATALOADER_OPTIONS = [
  'batchSize',
  'shuffle',
  'sampler',
  'batchSampler',
  'numWorkers',
  'collateFn',
  'dropLast',
  'generator',
  'autoDispose',
];

function isArray<T>(value: DatasetLike<T> | IterableDataset<T> | readonly T[]): value is readonly T[] {
  return Array.isArray(value);
}

/**
 * Iterates a dataset in batches (`for (const [x, y] of loader)`), a new epoch per iteration.
 *
 * Map-style datasets are visited in the order of the batch sampler: `batchSampler`, or
 * BatchSampler(sampler ?? (shuffle ? RandomSampler : SequentialSampler), batchSize, dropLast).
 * An IterableDataset is batched in its own order (no sampler, no shuffle).
 *
 * A TensorDataset (or a Subset of one) with the default collate is batched by uploading the batch's
 * row indices once and gathering each tensor's rows with one indexSelect; other datasets call get()
 * per sample and collate inside a tidy(), so per-sample tensors made by get() are freed.
 *
 * Batch tensors are new tensors owned by the caller: dispose them (or create them inside a tidy()
 * that ends with the step), or pass `autoDispose: true` to let the loader dispose each batch when
 * the next one is requested.
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  readonly dataset: DatasetLike<T> | IterableDataset<T>;
  /** Samples per batch; null when a batchSampler decides. */
  readonly batchSize: number | null;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator;
  readonly autoDispose: boolean;
  readonly numWorkers: number;
  /** The index sampler (null for an IterableDataset or with a batchSampler). */
  readonly sampler: (Iterable<number> & { readonly length: number }) | null;
  /** Where each batch's indices come from (null for an IterableDataset). */
  readonly batchSampler: (Iterable<readonly number[]> & { readonly length: number }) | null;
  private readonly collateFn: ((samples: T[]) => B) | null;

  constructor(samples: DatasetLike<T> | IterableDataset<T> | readonly T[], options: DataLoaderOptions<T, B> = {}) {
    // A plain array is a map-style dataset, as a Python list is for torch's DataLoader.
    const dataset: DatasetLike<T> | IterableDataset<T> = isArray(samples)
      ? { length: samples.length, get: (i) => samples[i]! }
      : samples;
    const {
      batchSize,
      shuffle = false,
      dropLast = false,
      generator,
      collateFn,
      autoDispose = false,
      sampler,
      batchSampler,
      numWorkers = 0,
    } = options;
    checkOptionKeys('DataLoader', options, DATALOADER_OPTIONS);
    if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize <= 0)) {
      throw new Error(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    }
    if (!Number.isInteger(numWorkers) || numWorkers < 0)
      throw new Error(
        `num_workers option should be non-negative; use num_workers=0 to disable multiprocessing (got ${numWorkers})`,
      );
    const iterable = dataset instanceof IterableDataset;
    if (
      !iterable &&
      (dataset === null ||
        typeof dataset !== 'object' ||
        typeof (dataset as DatasetLike<T>).get !== 'function' ||
        typeof (dataset as DatasetLike<T>).length !== 'number')
    ) {
      throw new TypeError(
        'DataLoader: dataset must be an array, have a numeric length and a get(index) method, or be an IterableDataset',
      );
    }
    if (iterable) {
      if (shuffle)
        throw new Error('DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true');
      if (sampler !== undefined)
        throw new Error('DataLoader with IterableDataset: expected unspecified sampler option, but got a sampler');
      if (batchSampler !== undefined)
        throw new Error(
          'DataLoader with IterableDataset: expected unspecified batch_sampler option, but got a batch sampler',
        );
    }
    if (sampler !== undefined && shuffle) throw new Error('sampler option is mutually exclusive with shuffle');
    if (
      batchSampler !== undefined &&
      ((batchSize !== undefined && batchSize !== 1) || shuffle || sampler !== undefined || dropLast)
    )
      throw new Error('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
    for (const [name, s] of [
      ['sampler', sampler],
      ['batchSampler', batchSampler],
    ] as const) {
      if (s !== undefined && (s === null || typeof s !== 'object' || typeof s[Symbol.iterator] !== 'function'))
        throw new TypeError(
          `DataLoader: ${name} must be an iterable with a length (e.g. a ${name === 'sampler' ? 'RandomSampler' : 'BatchSampler'})`,
        );
    }
    this.dataset = dataset;
    this.batchSize = batchSampler !== undefined ? null : (batchSize ?? 1);
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator ?? defaultGenerator;
    this.collateFn = collateFn ?? null;
    this.autoDispose = autoDispose;
    this.numWorkers = numWorkers;
    if (iterable) {
      this.sampler = null;
      this.batchSampler = null;
    } else if (batchSampler !== undefined) {
      this.sampler = null;
      this.batchSampler = batchSampler;
    } else {
      const ds = dataset as DatasetLike<T>;
      this.sampler =
        sampler ?? (shuffle ? new RandomSampler(ds, { generator: this.generator }) : new SequentialSampler(ds));
      this.batchSampler = new BatchSampler(this.sampler, this.batchSize!, dropLast);
    }
  }

  /** Batches per epoch (an IterableDataset without a numeric length has none: an error). */
  get length(): number {
    if (this.batchSampler !== null) return this.batchSampler.length;
    let n: unknown;
    try {
      n = (this.dataset as { length?: unknown }).length;
    } catch {
      n = undefined; // an IterableDataset without a length getter
    }
    if (typeof n !== 'number')
      throw new TypeError('DataLoader: the IterableDataset has no length, so the number of batches is unknown');
    return this.dropLast ? Math.floor(n / this.batchSize!) : Math.ceil(n / this.batchSize!);
  }

  private makeBatch(indices: readonly number[]): B {
    const dataset = this.dataset as DatasetLike<T>;
    if (this.collateFn === null) {
      const rows = tensorRows(dataset);
      if (rows !== null) {
        const mapped = Int32Array.from(indices, rows.map ?? ((i) => i));
        const tensors = rows.base.tensors;
        const n = rows.base.length;
        for (const i of mapped)
          if (!(i >= 0 && i < n))
            throw new RangeError(
              `DataLoader: index ${i} from the sampler is out of range for a dataset of length ${n}`,
            );
        const idx = fromArray(mapped, [mapped.length], { dtype: 'int32', device: tensors[0]!.device });
        try {
          return tensors.map((t) => t.indexSelect(0, idx)) as B;
        } finally {
          idx.dispose();
        }
      }
    }
    const collate = this.collateFn ?? (defaultCollate as unknown as (samples: T[]) => B);
    return tidy(() => {
      const samples: T[] = [];
      for (const i of indices) samples.push(dataset.get(i));
      return collate(samples);
    });
  }

  /** Batches of an IterableDataset: batchSize samples pulled from its iterator, collated. */
  private *streamBatches(): IterableIterator<B> {
    const iterator = (this.dataset as IterableDataset<T>)[Symbol.iterator]();
    const collate = this.collateFn ?? (defaultCollate as unknown as (samples: T[]) => B);
    const size = this.batchSize!;
    try {
      while (true) {
        let ended = false;
        // Samples are pulled inside the tidy so that tensors the iterator creates are freed after collation.
        const batch = tidy(() => {
          const samples: T[] = [];
          while (samples.length < size) {
            const r = iterator.next();
            if (r.done) {
              ended = true;
              break;
            }
            samples.push(r.value);
          }
          if (samples.length === 0 || (ended && this.dropLast && samples.length < size)) return null;
          return { value: collate(samples) };
        });
        if (batch !== null) yield batch.value;
        if (ended) return;
      }
    } finally {
      iterator.return?.();
    }
  }

  *[Symbol.iterator](): Iterator<B> {
    const batches: Iterable<B> =
      this.batchSampler === null
        ? this.streamBatches()
        : (function* (loader: DataLoader<T, B>, indices: Iterable<readonly number[]>) {
            for (const batch of indices) yield loader.makeBatch(batch);
          })(this, this.batchSampler);
    let previous: B | undefined;
    try {
      for (const batch of batches) {
        if (this.autoDispose && previous !== undefined) disposeTensors(previous);
        previous = batch;
        yield batch;
      }
    } finally {
      if (this.autoDispose && previous !== undefined) disposeTensors(previous);
    }
  }
}
