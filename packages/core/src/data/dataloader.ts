/** torch.utils.data.DataLoader: batching, shuffling, collation. */
import { Tensor } from '../tensor/tensor.js';
import { fromArray, tensor } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { stack } from '../ops/layout.js';
import { defaultGenerator, type Generator } from '../random.js';
import { Subset, TensorDataset, type DatasetLike } from './dataset.js';

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
  /** Visit the samples in a new random order every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Source of the shuffling permutations (default: the global generator, seeded by manualSeed). */
  generator?: Generator;
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

/**
 * Iterates a dataset in batches (`for (const [x, y] of loader)`), a new epoch per iteration.
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
  readonly dataset: DatasetLike<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator;
  readonly autoDispose: boolean;
  private readonly collateFn: ((samples: T[]) => B) | null;

  constructor(dataset: DatasetLike<T>, options: DataLoaderOptions<T, B> = {}) {
    const { batchSize = 1, shuffle = false, dropLast = false, generator, collateFn, autoDispose = false } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new Error(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    }
    if (
      dataset === null ||
      typeof dataset !== 'object' ||
      typeof dataset.get !== 'function' ||
      typeof dataset.length !== 'number'
    ) {
      throw new TypeError('DataLoader: dataset must have a numeric length and a get(index) method');
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator ?? defaultGenerator;
    this.collateFn = collateFn ?? null;
    this.autoDispose = autoDispose;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample order of one epoch (draws a permutation from the generator when shuffling). */
  private epochOrder(): Int32Array {
    const n = this.dataset.length;
    if (this.shuffle) return this.generator.randperm(n);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }

  private makeBatch(indices: Int32Array): B {
    if (this.collateFn === null) {
      const rows = tensorRows(this.dataset);
      if (rows !== null) {
        const mapped = rows.map === null ? indices : indices.map(rows.map);
        const tensors = rows.base.tensors;
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
      for (const i of indices) samples.push(this.dataset.get(i));
      return collate(samples);
    });
  }

  *[Symbol.iterator](): Iterator<B> {
    const order = this.epochOrder();
    const batches = this.length;
    let previous: B | undefined;
    try {
      for (let b = 0; b < batches; b++) {
        const indices = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
        if (this.autoDispose && previous !== undefined) disposeTensors(previous);
        previous = this.makeBatch(indices);
        yield previous;
      }
    } finally {
      if (this.autoDispose && previous !== undefined) disposeTensors(previous);
    }
  }
}
