/** torch.utils.data datasets: Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, randomSplit. */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../backend/shape.js';
import { defaultGenerator, type Generator } from '../random.js';

/** Anything with a length and random access: what DataLoader and Subset accept. */
export interface DatasetLike<T> {
  readonly length: number;
  get(index: number): T;
}

/**
 * A map-style dataset (torch.utils.data.Dataset): implement `length` (a property or a getter) and
 * `get(i)` for 0 <= i < length.
 */
export abstract class Dataset<T> implements DatasetLike<T> {
  abstract readonly length: number;
  abstract get(index: number): T;

  /** Iterate the samples in order (get(0), get(1), ...). */
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

function checkIndex(index: number, length: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${what}: index ${index} is out of range for a dataset of length ${length}`);
  }
}

/**
 * Wraps tensors that share their first dimension; sample i is the i-th row of each
 * (PyTorch's TensorDataset). get(i) makes new row tensors (the caller disposes them, or a tidy);
 * DataLoader does not call get() for a TensorDataset: it gathers whole batches with indexSelect.
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  readonly tensors: Readonly<T>;

  /** The sample type follows the arguments: `new TensorDataset(X, y)` yields `[Tensor, Tensor]`. */
  constructor(...tensors: T) {
    super();
    if (tensors.length === 0) throw new Error('TensorDataset: expected at least one tensor');
    const n = tensors[0]!.ndim === 0 ? -1 : tensors[0]!.shape[0]!;
    for (const [i, t] of tensors.entries()) {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new Error(
          `Size mismatch between tensors: TensorDataset needs tensors with the same first dimension (tensor 0 has shape ${formatShape(tensors[0]!.shape)}, tensor ${i} has shape ${formatShape(t.shape)})`,
        );
      }
    }
    if (new Set(tensors.map((t) => t.device)).size > 1) {
      throw new Error(
        `TensorDataset: all tensors must be on the same device, got ${tensors.map((t) => t.device).join(', ')}`,
      );
    }
    this.tensors = Object.freeze([...tensors]) as Readonly<T>;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  get(index: number): T {
    checkIndex(index, this.length, 'TensorDataset');
    return this.tensors.map((t) => t.select(0, index)) as T;
  }
}

/**
 * A stream of samples (torch.utils.data.IterableDataset): implement [Symbol.iterator] (a generator
 * function is easiest). DataLoader batches it in iteration order; it has no length, no sampler
 * and no shuffling.
 */
export abstract class IterableDataset<T> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
  /**
   * Override with a getter when the stream has a known size. Without one, reading it throws, as
   * len() of a PyTorch IterableDataset without __len__ raises TypeError; declaring it keeps
   * `loader.dataset.length` (the PyTorch tutorials' `len(dataloader.dataset)`) well typed.
   */
  get length(): number {
    throw new TypeError(`${this.constructor.name} (an IterableDataset) has no length: define a 'length' getter`);
  }
}

/**
 * Several datasets one after another (torch.utils.data.ConcatDataset): index i goes to the first
 * dataset whose cumulative length exceeds it. Negative indices count from the end, as PyTorch.
 */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: readonly DatasetLike<T>[];
  /** cumulativeSizes[k] = total length of datasets 0..k (PyTorch's cumulative_sizes). */
  readonly cumulativeSizes: readonly number[];

  constructor(datasets: Iterable<DatasetLike<T>>) {
    super();
    const list = Array.from(datasets);
    if (list.length === 0) throw new Error('datasets should not be an empty iterable');
    const sizes: number[] = [];
    let total = 0;
    list.forEach((d, i) => {
      if (d instanceof IterableDataset) throw new Error('ConcatDataset does not support IterableDataset');
      if (d === null || typeof d !== 'object' || typeof d.get !== 'function' || typeof d.length !== 'number')
        throw new TypeError(`ConcatDataset: dataset ${i} must have a numeric length and a get(index) method`);
      total += d.length;
      sizes.push(total);
    });
    this.datasets = Object.freeze(list);
    this.cumulativeSizes = Object.freeze(sizes);
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  get(index: number): T {
    const n = this.length;
    if (!Number.isInteger(index) || index < -n || index >= n)
      throw new RangeError(`ConcatDataset: index ${index} is out of range for a dataset of length ${n}`);
    const i = index < 0 ? index + n : index;
    let k = 0;
    while (this.cumulativeSizes[k]! <= i) k++;
    return this.datasets[k]!.get(k === 0 ? i : i - this.cumulativeSizes[k - 1]!);
  }
}

/** The samples of `dataset` at `indices`, in that order (torch.utils.data.Subset). */
export class Subset<T> extends Dataset<T> {
  readonly dataset: DatasetLike<T>;
  readonly indices: readonly number[];

  constructor(dataset: DatasetLike<T>, indices: Iterable<number>) {
    super();
    this.dataset = dataset;
    this.indices = Object.freeze(Array.from(indices));
    for (const i of this.indices) checkIndex(i, dataset.length, 'Subset');
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    checkIndex(index, this.indices.length, 'Subset');
    return this.dataset.get(this.indices[index]!);
  }
}

/**
 * Split `dataset` into non-overlapping random subsets (torch.utils.data.random_split).
 * `lengths` are sizes that sum to the dataset's length, or fractions that sum to 1: then each size
 * is floor(fraction * n) and the remainder is handed out one by one, round robin, as PyTorch.
 * The permutation comes from `generator` (default: the global one, seeded by manualSeed).
 */
export function randomSplit<T>(
  dataset: DatasetLike<T>,
  lengths: readonly number[],
  generator: Generator = defaultGenerator,
): Subset<T>[] {
  const n = dataset.length;
  let sizes = [...lengths];
  const total = sizes.reduce((a, b) => a + b, 0);
  // PyTorch's rule: lengths summing to 1 (and not more than the dataset) are fractions.
  if (Math.abs(total - 1) <= 1e-9 && total <= n) {
    for (const [i, f] of sizes.entries()) {
      if (!(f >= 0 && f <= 1)) throw new Error(`Fraction at index ${i} is not between 0 and 1`);
    }
    sizes = sizes.map((f) => Math.floor(n * f));
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]! += 1;
  }
  for (const [i, s] of sizes.entries()) {
    if (!Number.isInteger(s) || s < 0)
      throw new Error(
        `randomSplit: length at index ${i} must be a non-negative integer (or all lengths fractions summing to 1), got ${lengths[i]}`,
      );
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new Error(
      `Sum of input lengths (${sizes.reduce((a, b) => a + b, 0)}) does not equal the length of the input dataset (${n})!`,
    );
  }
  const perm = generator.randperm(n);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const s of sizes) {
    out.push(new Subset(dataset, perm.subarray(offset, offset + s)));
    offset += s;
  }
  return out;
}
