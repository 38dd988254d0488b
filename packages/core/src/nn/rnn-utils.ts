/**
 * nn.utils.rnn: PackedSequence, padSequence, packPaddedSequence, padPackedSequence, packSequence.
 *
 * A PackedSequence holds the non-padding steps of a batch of sequences sorted by decreasing length,
 * time step after time step: data [sum(lengths), *], batchSizes[t] = how many sequences are longer
 * than t. Lengths and batch sizes are host values (PyTorch keeps them on the CPU too): they decide
 * shapes, so a lengths Tensor is read back once, when packing; on a backend without synchronous
 * reads pass the lengths as an array. Packing and padding are one indexSelect each, so gradients
 * flow back to the padded input.
 */
import { formatShape } from '../backend/shape.js';
import { fromArray, full } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { cat, stack } from '../ops/layout.js';

/**
 * The packed form RNN, LSTM and GRU accept. Like PyTorch's (a namedtuple), it is also the array
 * [data, batchSizes, sortedIndices, unsortedIndices], so it destructures, and tidy() keeps the
 * tensors of a PackedSequence it returns.
 */
export class PackedSequence extends Array<Tensor | null> {
  /** batchSizes on the host (what the recurrences use to slice each step). */
  readonly batchSizesList: readonly number[];
  /** @internal unsortedIndices on the host, when packing made them (padPackedSequence reads them). */
  _unsortedHost: readonly number[] | null = null;

  // Array methods (map, filter, ...) make plain arrays, not PackedSequences.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  constructor(
    data: Tensor,
    batchSizes: readonly number[] | Tensor,
    sortedIndices: Tensor | null = null,
    unsortedIndices: Tensor | null = null,
    /** @internal batchSizes on the host when batchSizes is a Tensor (saves reading it back). */
    hostBatchSizes?: readonly number[],
  ) {
    super();
    const list =
      hostBatchSizes !== undefined
        ? [...hostBatchSizes]
        : batchSizes instanceof Tensor
          ? Array.from(batchSizes.dataSync(), Number)
          : [...batchSizes];
    for (let t = 0; t < list.length; t++) {
      if (!(Number.isInteger(list[t]) && list[t]! > 0 && (t === 0 || list[t]! <= list[t - 1]!)))
        throw new Error(`PackedSequence: batch_sizes must be positive and non-increasing, got [${list.join(', ')}]`);
    }
    const total = list.reduce((a, b) => a + b, 0);
    if (!(data instanceof Tensor) || data.ndim < 1 || data.shape[0] !== total)
      throw new Error(
        `PackedSequence: data ${data instanceof Tensor ? formatShape(data.shape) : String(data)} does not have sum(batch_sizes) = ${total} rows`,
      );
    this.batchSizesList = list;
    const sizes =
      batchSizes instanceof Tensor
        ? batchSizes
        : fromArray(Int32Array.from(list), [list.length], { dtype: 'int32', device: data.device });
    const unsorted = unsortedIndices ?? (sortedIndices === null ? null : invertPermutation(sortedIndices));
    this.push(data, sizes, sortedIndices, unsorted);
  }

  /** [sum(lengths), *]: step 0 of every sequence, then step 1 of those longer than 1, ... */
  get data(): Tensor {
    return this[0] as Tensor;
  }
  /** int32 [maxLength] (PyTorch: int64 on the CPU). */
  get batchSizes(): Tensor {
    return this[1] as Tensor;
  }
  /** int32: the batch order the sequences were sorted into (null when the input was sorted). */
  get sortedIndices(): Tensor | null {
    return this[2] ?? null;
  }
  /** int32: the inverse permutation of sortedIndices. */
  get unsortedIndices(): Tensor | null {
    return this[3] ?? null;
  }

  /** The same batch structure around new data (what the recurrences return). */
  withData(data: Tensor): PackedSequence {
    const p = new PackedSequence(data, this.batchSizes, this.sortedIndices, this.unsortedIndices, this.batchSizesList);
    p._unsortedHost = this._unsortedHost;
    return p;
  }

  /** Sequence lengths in sorted order (host values). */
  sortedLengths(): number[] {
    const bs = this.batchSizesList;
    const n = bs[0] ?? 0;
    const out = new Array<number>(n).fill(0);
    for (const b of bs) for (let i = 0; i < b; i++) out[i]!++;
    return out;
  }
}

function invertPermutation(perm: Tensor): Tensor {
  const p = perm.dataSync();
  const inv = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) inv[Number(p[i])] = i;
  return fromArray(inv, [p.length], { dtype: 'int32', device: perm.device });
}

function hostLengths(lengths: readonly number[] | Tensor): number[] {
  if (lengths instanceof Tensor) {
    if (lengths.ndim !== 1)
      throw new Error(`'lengths' argument should be a 1D tensor or an array, got shape ${formatShape(lengths.shape)}`);
    return Array.from(lengths.dataSync(), Number);
  }
  return [...lengths];
}

/**
 * Stack [L_i, *] sequences into [maxL, B, *] (or [B, maxL, *] with batchFirst), padding the
 * shorter ones with paddingValue.
 */
export function padSequence(sequences: readonly Tensor[], batchFirst = false, paddingValue = 0): Tensor {
  if (sequences.length === 0) throw new Error('padSequence: received an empty list of sequences');
  const trailing = sequences[0]!.shape.slice(1);
  for (const [i, s] of sequences.entries()) {
    if (s.ndim < 1 || s.shape.slice(1).some((d, k) => d !== trailing[k]) || s.ndim !== trailing.length + 1)
      throw new Error(
        `padSequence: sequence ${i} has shape ${formatShape(s.shape)}, but sequence 0 has trailing dims ${formatShape(trailing)}`,
      );
  }
  const maxLen = Math.max(...sequences.map((s) => s.shape[0]!));
  return tidy(() => {
    const padded = sequences.map((s) => {
      const L = s.shape[0]!;
      if (L === maxLen) return s;
      return cat([s, full([maxLen - L, ...trailing], paddingValue, { device: s.device, dtype: s.dtype })], 0);
    });
    return stack(padded, batchFirst ? 0 : 1);
  });
}

/**
 * Pack a padded batch [T, B, *] (or [B, T, *] with batchFirst) of sequences with the given lengths.
 * With enforceSorted (the default) the lengths must be non-increasing; otherwise the batch is
 * sorted here and the permutation kept in the result.
 */
export function packPaddedSequence(
  input: Tensor,
  lengths: readonly number[] | Tensor,
  batchFirst = false,
  enforceSorted = true,
): PackedSequence {
  const lens = hostLengths(lengths);
  if (input.ndim < 2)
    throw new Error(`packPaddedSequence: expected input of at least 2 dims [T, B, *], got ${formatShape(input.shape)}`);
  const T = input.shape[batchFirst ? 1 : 0]!;
  const B = input.shape[batchFirst ? 0 : 1]!;
  if (lens.length !== B)
    throw new Error(`Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${B})`);
  if (lens.some((l) => !Number.isInteger(l) || l <= 0))
    throw new Error("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  if (lens.some((l) => l > T))
    throw new Error(
      `packPaddedSequence: a length (${Math.max(...lens)}) exceeds the input's sequence length ${T} (input ${formatShape(input.shape)})`,
    );
  let order = lens.map((_, i) => i);
  if (enforceSorted) {
    for (let i = 1; i < lens.length; i++) {
      if (lens[i]! > lens[i - 1]!)
        throw new Error(
          '`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.',
        );
    }
  } else order = order.sort((a, b) => lens[b]! - lens[a]!); // stable: equal lengths keep their order
  const sorted = order.map((i) => lens[i]!);
  const maxLen = sorted[0]!;
  const batchSizes: number[] = [];
  const rows: number[] = [];
  for (let t = 0; t < maxLen; t++) {
    let b = 0;
    while (b < B && sorted[b]! > t) {
      rows.push(batchFirst ? order[b]! * T + t : t * B + order[b]!);
      b++;
    }
    batchSizes.push(b);
  }
  const rest = input.shape.slice(2);
  const data = tidy(() =>
    input
      .reshape([T * B, ...rest])
      .indexSelect(0, fromArray(Int32Array.from(rows), [rows.length], { dtype: 'int32', device: input.device })),
  );
  if (enforceSorted) return new PackedSequence(data, batchSizes);
  const inverse = new Array<number>(B);
  order.forEach((j, b) => {
    inverse[j] = b;
  });
  const opts = { dtype: 'int32', device: input.device } as const;
  const packed = new PackedSequence(
    data,
    batchSizes,
    fromArray(Int32Array.from(order), [B], opts),
    fromArray(Int32Array.from(inverse), [B], opts),
  );
  packed._unsortedHost = inverse;
  return packed;
}

/**
 * The inverse of packPaddedSequence: [padded, lengths], padded [T, B, *] (or [B, T, *]) in the
 * original batch order, T = totalLength or the longest length; lengths is int32 [B].
 */
export function padPackedSequence(
  sequence: PackedSequence,
  batchFirst = false,
  paddingValue = 0,
  totalLength: number | null = null,
): [Tensor, Tensor] {
  const bs = sequence.batchSizesList;
  const maxLen = bs.length;
  const B = bs[0] ?? 0;
  if (totalLength !== null && totalLength < maxLen)
    throw new Error(
      `Expected total_length to be at least the length of the longest sequence in the input, but got total_length=${totalLength} and max sequence length being ${maxLen}`,
    );
  const T = totalLength ?? maxLen;
  const data = sequence.data;
  const total = data.shape[0]!;
  const offsets: number[] = [];
  let o = 0;
  for (const b of bs) {
    offsets.push(o);
    o += b;
  }
  const sortedLens = sequence.sortedLengths();
  // Original batch position j sits at sorted position unsorted[j].
  const unsorted =
    sequence.unsortedIndices === null
      ? null
      : (sequence._unsortedHost ?? Array.from(sequence.unsortedIndices.dataSync(), Number));
  const rows = new Int32Array(T * B);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < B; j++) {
      const b = unsorted === null ? j : unsorted[j]!;
      const row = t < sortedLens[b]! ? offsets[t]! + b : total; // `total`: the padding row
      rows[batchFirst ? j * T + t : t * B + j] = row;
    }
  }
  const lengths = new Int32Array(B);
  for (let j = 0; j < B; j++) lengths[j] = sortedLens[unsorted === null ? j : unsorted[j]!]!;
  const rest = data.shape.slice(1);
  const padded = tidy(() => {
    const withPad = cat([data, full([1, ...rest], paddingValue, { device: data.device, dtype: data.dtype })], 0);
    const flat = withPad.indexSelect(0, fromArray(rows, [rows.length], { dtype: 'int32', device: data.device }));
    return flat.reshape(batchFirst ? [B, T, ...rest] : [T, B, ...rest]);
  });
  return [padded, fromArray(lengths, [B], { dtype: 'int32', device: data.device })];
}

/** packPaddedSequence(padSequence(sequences), their lengths, false, enforceSorted). */
export function packSequence(sequences: readonly Tensor[], enforceSorted = true): PackedSequence {
  const lengths = sequences.map((s) => s.shape[0]!);
  // The padded intermediate is freed; the plain object carries the results out of tidy.
  const p = tidy(() => {
    const q = packPaddedSequence(padSequence(sequences), lengths, false, enforceSorted);
    return { q: { data: q.data, sizes: q.batchSizes, sorted: q.sortedIndices, unsorted: q.unsortedIndices }, host: q };
  });
  const packed = new PackedSequence(p.q.data, p.q.sizes, p.q.sorted, p.q.unsorted, p.host.batchSizesList);
  packed._unsortedHost = p.host._unsortedHost;
  return packed;
}
