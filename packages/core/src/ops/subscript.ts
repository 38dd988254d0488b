/**
 * Python's `x[...]` and `x[...] = v` for tensors: `index()` reads, `indexPut()` writes (the Tensor
 * methods `index`, `setIndex`, `indexPut_` build on them), plus the ops that are subscripts in
 * disguise: maskedSelect, take, narrow.
 *
 * A boolean mask selects a data-dependent number of elements, so indexing with one reads the mask
 * back to the host (PyTorch synchronizes there too). Everything else stays on the device.
 */
import { formatShape, sizeOf, tryBroadcastShapes } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { isTensor } from '../tensor/binding.js';
import { noGrad } from '../autograd/grad-mode.js';
import { op } from './op.js';
import { commonBackend, constant, output } from './util.js';
import { expand, normalizeDim, pad, permute, reshape, select, slice, unsqueeze } from './layout.js';
import { indexSelect, scatterAdd } from './indexing.js';
import { scatter } from './scatter.js';
import { logicalAnd, where } from './elementwise.js';

/**
 * One entry of `x.index(...)`, as in Python's `x[...]`: a number (selects, removing the dim), null
 * (`:`, the whole dim), [start?, end?, step?] (a slice; null for an open end), '...' (Ellipsis: as
 * many `:` as needed), 'newaxis' (None: a new dim of size 1), or a Tensor: int32 (advanced
 * indexing; several broadcast together and pick elements) or bool (a mask over as many dims as it has).
 */
export type IndexSpec =
  | number
  | null
  | '...'
  | 'newaxis'
  | readonly [(number | null)?, (number | null)?, number?]
  | Tensor;

interface TensorIndex {
  /** The dim it indexes, counted after the numbers before it removed theirs. */
  readonly dim: number;
  readonly index: Tensor;
}

function describe(spec: unknown): string {
  if (isTensor(spec)) return `a ${spec.dtype} tensor`;
  return typeof spec === 'string' ? `'${spec}'` : JSON.stringify(spec);
}

/** How many dims of the input an entry consumes (newaxis none, a mask as many as it has). */
function consumed(spec: IndexSpec): number {
  if (spec === 'newaxis' || spec === '...') return 0;
  if (isTensor(spec)) return spec.dtype === 'bool' ? spec.ndim : 1;
  return 1;
}

/** The specs with '...' replaced by nulls, checked against x's rank. */
function expandEllipsis(x: Tensor, specs: readonly IndexSpec[]): IndexSpec[] {
  const used = specs.reduce<number>((n, s) => n + consumed(s), 0);
  const ellipses = specs.filter((s) => s === '...').length;
  if (ellipses > 1) throw new Error("index: an index can only have a single ellipsis ('...')");
  if (used > x.ndim) {
    throw new Error(`index: too many indices for tensor of dimension ${x.ndim} (got ${used})`);
  }
  const out: IndexSpec[] = [];
  for (const s of specs) {
    if (s === '...') for (let i = 0; i < x.ndim - used; i++) out.push(null);
    else out.push(s);
  }
  return out;
}

/**
 * The coordinates of a bool mask's true elements, one int32 index tensor per mask dim (the mask
 * is read back to the host: the count depends on the data).
 */
function maskToIndices(mask: Tensor): Tensor[] {
  const data = mask.dataSync();
  const dims = mask.ndim;
  const strides = mask.shape.map((_, d) => sizeOf(mask.shape.slice(d + 1)));
  let count = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
  const coords = mask.shape.map(() => new Int32Array(count));
  let k = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0) continue;
    for (let d = 0; d < dims; d++) coords[d]![k] = Math.floor(i / strides[d]!) % mask.shape[d]!;
    k++;
  }
  const b = mask.backend;
  return coords.map((c) => output(b, b.kernels.write(c, [count], 'int32'), [count], 'int32'));
}

/** Numbers, slices, nulls and newaxis applied; the tensor entries collected for advancedIndex. */
function basicIndex(x: Tensor, specs: readonly IndexSpec[]): { out: Tensor; tensors: TensorIndex[] } {
  let out = x;
  let dim = 0;
  const tensors: TensorIndex[] = [];
  expandEllipsis(x, specs).forEach((spec, position) => {
    if (spec === null) dim++;
    else if (spec === 'newaxis') out = unsqueeze(out, dim++);
    else if (typeof spec === 'number') {
      const n = out.shape[dim]!;
      if (!Number.isInteger(spec)) {
        throw new Error(
          `index: only integers, slices ([start, end, step]), null (:), '...', 'newaxis' and int32 or bool tensors are valid indices (got ${spec} at position ${position})`,
        );
      }
      if (spec < -n || spec >= n) {
        throw new Error(`index ${spec} is out of bounds for dimension ${position} with size ${n}`);
      }
      out = select(out, dim, spec);
    } else if (isTensor(spec)) {
      if (spec.dtype === 'bool') {
        const covered = out.shape.slice(dim, dim + spec.ndim);
        spec.shape.forEach((d, j) => {
          if (d !== covered[j]) {
            throw new Error(
              `The shape of the mask ${formatShape(spec.shape)} at index ${j} does not match the shape of the indexed tensor ${formatShape(out.shape)} at index ${dim + j}`,
            );
          }
        });
        if (spec.ndim === 0) {
          // x[True] adds a dim of size 1, x[False] one of size 0 (PyTorch).
          out = unsqueeze(out, dim);
          tensors.push({ dim: dim++, index: constant(out.backend, 0, 'int32', [spec.item() !== 0 ? 1 : 0]) });
        } else for (const index of maskToIndices(spec)) tensors.push({ dim: dim++, index });
      } else if (spec.dtype === 'int32') tensors.push({ dim: dim++, index: spec });
      else {
        throw new Error(
          `index: tensors used as indices must be int32 or bool, got ${spec.dtype} (shape ${formatShape(spec.shape)})`,
        );
      }
    } else if (Array.isArray(spec)) {
      out = slice(out, dim, spec[0] ?? null, spec[1] ?? null, spec[2] ?? 1);
      dim++;
    } else throw new Error(`index: ${describe(spec)} at position ${position} is not a valid index`);
  });
  return { out, tensors };
}

/**
 * PyTorch's `x[...]`. Numbers, slices and new axes apply first (as PyTorch does); the index
 * tensors then address the dims that remain. Index tensors broadcast together, so
 * `x.index(rows, cols)` is `x[rows, cols]`: element (rows[k], cols[k]) for each k, not the
 * rows-by-cols block. The broadcast dims replace the indexed dims in place when those are
 * adjacent, and go first otherwise. A bool mask stands for the index tensors of its true elements.
 */
export function index(x: Tensor, specs: readonly IndexSpec[]): Tensor {
  return op('index', [x, ...specs.filter(isTensor)], () => {
    const { out, tensors } = basicIndex(x, specs);
    if (tensors.length > 0) return advancedIndex(out, tensors, Number.NaN);
    return out === x ? reshape(x, x.shape) : out;
  });
}

/**
 * Gathers `x` at broadcast index tensors: the indexed dims are merged into one (moved to the front
 * first when they are not adjacent), each index is wrapped (negatives count from the end) and
 * folded into a linear index, and one indexSelect picks the rows. Its gradient scatter-adds, so
 * repeated indices accumulate.
 *
 * Out-of-range indices cannot raise without reading the index back to the host: they read
 * `outOfRange` instead in a float result (NaN for index(); an int32 or bool result reads element 0
 * there, or `outOfRange` when it is a number other than NaN).
 */
function advancedIndex(x: Tensor, tensors: readonly TensorIndex[], outOfRange: number): Tensor {
  let shape: readonly number[] = tensors[0]!.index.shape;
  for (const { index } of tensors.slice(1)) {
    const b = tryBroadcastShapes(shape, index.shape);
    if (b === null) {
      throw new Error(
        `index: shape mismatch: indexing tensors could not be broadcast together with shapes ${tensors.map((t) => formatShape(t.index.shape)).join(', ')}`,
      );
    }
    shape = b;
  }
  const dims = tensors.map((t) => t.dim);
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  const src = adjacent ? x : permute(x, [...dims, ...[...x.shape.keys()].filter((d) => !dims.includes(d))]);
  const at = adjacent ? dims[0]! : 0;
  const k = dims.length;
  const sizes = dims.map((d) => x.shape[d]!);
  const before = src.shape.slice(0, at);
  const after = src.shape.slice(at + k);
  const merged = reshape(src, [...before, sizeOf(sizes), ...after]);
  let linear: Tensor | null = null;
  let valid: Tensor | null = null;
  let stride = 1;
  for (let j = k - 1; j >= 0; j--) {
    const n = sizes[j]!;
    const raw = tensors[j]!.index;
    const wrapped = where(raw.lt(0), raw.add(n), raw);
    const inRange = logicalAnd(wrapped.ge(0), wrapped.lt(n));
    // Kernels must never read outside x: out-of-range entries point at 0 and are masked below.
    const safe = where(inRange, wrapped, 0);
    const term = stride === 1 ? safe : safe.mul(stride);
    linear = linear === null ? term : linear.add(term);
    valid = valid === null ? inRange : logicalAnd(valid, inRange);
    stride *= n;
  }
  const count = sizeOf(shape);
  const flat = reshape(linear!.expand(shape), [count]);
  const picked = reshape(indexSelect(merged, at, flat), [...before, ...shape, ...after]);
  if (picked.dtype !== 'float32' && Number.isNaN(outOfRange)) return picked;
  const mask = reshape(valid!.expand(shape), [...before.map(() => 1), ...shape, ...after.map(() => 1)]);
  return where(mask, picked, outOfRange);
}

/**
 * For each element `x.index(...specs)` would return, the flat position in x it comes from (int32,
 * unrecorded); positions of out-of-range index entries are `x.numel` (one past the end).
 */
function positionsOf(x: Tensor, specs: readonly IndexSpec[]): { positions: Tensor; hasTensors: boolean } {
  commonBackend('indexPut', [x, ...specs.filter(isTensor)]);
  return noGrad(() => {
    const b = x.backend;
    const n = x.numel;
    const iota = Int32Array.from({ length: n }, (_, i) => i);
    const flat = reshape(output(b, b.kernels.write(iota, [n], 'int32'), [n], 'int32'), x.shape);
    const { out, tensors } = basicIndex(flat, specs);
    if (tensors.length === 0) return { positions: out, hasTensors: false };
    return { positions: advancedIndex(out, tensors, n), hasTensors: true };
  });
}

/** Drop leading size-1 dims of a value that has more dims than the selection (PyTorch's setitem does). */
function fitValue(value: Tensor, shape: readonly number[]): Tensor {
  let v = value;
  while (v.ndim > shape.length && v.shape[0] === 1) v = reshape(v, v.shape.slice(1));
  if (tryBroadcastShapes(v.shape, shape)?.every((d, i) => d === shape[i]) !== true || v.ndim > shape.length) {
    throw new Error(
      `shape mismatch: value tensor of shape ${formatShape(value.shape)} cannot be broadcast to indexing result of shape ${formatShape(shape)}`,
    );
  }
  return v;
}

/** A lone bool mask over x's leading dims with a one-element value: x.maskedFill, no readback. */
function isMaskFill(x: Tensor, specs: readonly IndexSpec[], values: Tensor | number): boolean {
  const [mask] = specs;
  if (specs.length !== 1 || !isTensor(mask) || mask.dtype !== 'bool' || mask.ndim === 0) return false;
  if (mask.ndim > x.ndim || mask.shape.some((d, i) => d !== x.shape[i])) return false;
  return typeof values === 'number' || values.numel === 1;
}

/**
 * Out-of-place `x[...specs] = values` (accumulate: `+=`, duplicates summing, as index_put_ with
 * accumulate=True). Every indexing form of index() is accepted: the written positions are what
 * index() would read from an iota of x's shape, and one scatter writes there. Without accumulate,
 * duplicate positions keep the last value. Out-of-range index entries write nowhere (raising would
 * need a readback). Gradients: x's flows except where overwritten; the values' is x's gradient read
 * at the positions (summed over broadcasting).
 */
export function indexPut(x: Tensor, specs: readonly IndexSpec[], values: Tensor | number, accumulate = false): Tensor {
  const valueTensor = isTensor(values) ? values : null;
  return op('indexPut', [x, ...(valueTensor === null ? [] : [valueTensor])], (backend) => {
    const v = valueTensor ?? constant(backend, values as number, x.dtype);
    if (v.dtype !== x.dtype) {
      throw new Error(
        `Index put requires the source and destination dtypes match, got ${x.dtype} for the destination and ${v.dtype} for the source.`,
      );
    }
    if (!accumulate && isMaskFill(x, specs, v)) {
      const mask = specs[0] as Tensor;
      const m = reshape(mask, [...mask.shape, ...x.shape.slice(mask.ndim).map(() => 1)]);
      return where(m, reshape(v, []), x);
    }
    const expanded = expandEllipsis(x, specs);
    const box = boxOf(x, expanded);
    if (box !== null) return writeBox(x, box, v, accumulate);
    const along = singleIndexDim(expanded);
    if (along !== null) return writeAlong(x, along, expanded[along] as Tensor, v, accumulate);
    const { positions, hasTensors } = positionsOf(x, specs);
    const fitted = fitValue(v, positions.shape);
    const count = positions.numel;
    const n = x.numel;
    const flatX = reshape(x, [n]);
    // Out-of-range entries point one past the end: a scratch element, cut off afterwards.
    const target = hasTensors ? pad(flatX, [0, 1]) : flatX;
    const flatPositions = reshape(positions, [count]);
    const flatValues = reshape(expand(fitted, positions.shape), [count]);
    const written = accumulate
      ? scatterAdd(target, 0, flatPositions, flatValues)
      : scatter(target, 0, flatPositions, flatValues);
    return reshape(hasTensors ? slice(written, 0, 0, n) : written, x.shape);
  });
}

/** What basic indexing (numbers, slices, nulls, newaxis) selects along each dim of x. */
interface BoxDim {
  readonly start: number;
  readonly step: number;
  readonly length: number;
  /** A number removes the dim from the selection. */
  readonly removed: boolean;
}
interface Box {
  readonly dims: readonly BoxDim[];
  /** The selection's shape, as index() would return it. */
  readonly shape: readonly number[];
}

/** The box that numbers, slices, nulls and newaxis select (null when a tensor is among the specs). */
function boxOf(x: Tensor, specs: readonly IndexSpec[]): Box | null {
  if (specs.some(isTensor)) return null;
  const dims: BoxDim[] = [];
  const shape: number[] = [];
  specs.forEach((spec, position) => {
    if (spec === 'newaxis') {
      shape.push(1);
      return;
    }
    const n = x.shape[dims.length]!;
    if (spec === null) {
      dims.push({ start: 0, step: 1, length: n, removed: false });
      shape.push(n);
    } else if (typeof spec === 'number') {
      if (!Number.isInteger(spec) || spec < -n || spec >= n) {
        throw new Error(`index ${spec} is out of bounds for dimension ${position} with size ${n}`);
      }
      dims.push({ start: spec < 0 ? spec + n : spec, step: 1, length: 1, removed: true });
    } else if (Array.isArray(spec)) {
      const step = spec[2] ?? 1;
      if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer (got ${step})`);
      // Python's slice clamping, as slice() does.
      const clampIndex = (v: number | null | undefined, fallback: number): number => {
        if (v === null || v === undefined) return fallback;
        return Math.min(Math.max(v < 0 ? v + n : v, 0), n);
      };
      const start = clampIndex(spec[0], 0);
      const end = Math.max(clampIndex(spec[1], n), start);
      const length = Math.ceil((end - start) / step);
      dims.push({ start, step, length, removed: false });
      shape.push(length);
    } else throw new Error(`index: ${describe(spec)} at position ${position} is not a valid index`);
  });
  for (let d = dims.length; d < x.ndim; d++) {
    dims.push({ start: 0, step: 1, length: x.shape[d]!, removed: false });
    shape.push(x.shape[d]!);
  }
  return { dims, shape };
}

/** `t` (one dim per x dim, `box`-sized) placed at the box's positions in a zero tensor of x's shape. */
function place(t: Tensor, box: Box, fullShape: readonly number[]): Tensor {
  let out = t;
  box.dims.forEach(({ start, step, length }, d) => {
    const size = fullShape[d]!;
    if (length === size) return;
    if (step === 1 || length <= 1) {
      const padding = new Array<number>(2 * (out.ndim - d)).fill(0);
      padding[padding.length - 2] = start;
      padding[padding.length - 1] = size - start - length;
      out = pad(out, padding);
      return;
    }
    // A strided slice: scatter its rows to their positions along d.
    const b = out.backend;
    const rows = Int32Array.from({ length }, (_, j) => start + j * step);
    const at = reshape(
      output(b, b.kernels.write(rows, [length], 'int32'), [length], 'int32'),
      out.shape.map((n, i) => (i === d ? n : 1)),
    ).expand(out.shape);
    out = scatter(
      constant(
        b,
        0,
        out.dtype,
        out.shape.map((n, i) => (i === d ? size : n)),
      ),
      d,
      at,
      out,
    );
  });
  return out;
}

/** A write through numbers and slices: the values padded (or scattered) into place, one where(). */
function writeBox(x: Tensor, box: Box, v: Tensor, accumulate: boolean): Tensor {
  const boxShape = box.dims.map((d) => d.length);
  const values = reshape(expand(fitValue(v, box.shape), box.shape), boxShape);
  const placed = place(values, box, x.shape);
  if (accumulate) return x.add(placed);
  const inside = place(constant(x.backend, 1, 'bool', boxShape), box, x.shape);
  return where(inside, placed, x);
}

/** The dim of the one int32 index tensor when the other specs are all null (`x[:, idx] = v`), else null. */
function singleIndexDim(specs: readonly IndexSpec[]): number | null {
  let found: number | null = null;
  for (let d = 0; d < specs.length; d++) {
    const spec = specs[d];
    if (spec === null) continue;
    if (!isTensor(spec) || spec.dtype !== 'int32' || found !== null) return null;
    found = d;
  }
  return found;
}

/**
 * A write through one index tensor along `axis`: one scatter along that dim (the index's entries
 * are the rows written), so the work is |x| · index.numel, not |x| · the selection's size.
 */
function writeAlong(x: Tensor, axis: number, index: Tensor, v: Tensor, accumulate: boolean): Tensor {
  const size = x.shape[axis]!;
  const k = index.numel;
  const selection = [...x.shape.slice(0, axis), ...index.shape, ...x.shape.slice(axis + 1)];
  const rowsShape = [...x.shape.slice(0, axis), k, ...x.shape.slice(axis + 1)];
  const values = reshape(expand(fitValue(v, selection), selection), rowsShape);
  const flat = reshape(index, [k]);
  const wrapped = where(flat.lt(0), flat.add(size), flat);
  // Out-of-range entries write to a scratch row past the end, cut off afterwards.
  const rows = where(logicalAnd(wrapped.ge(0), wrapped.lt(size)), wrapped, size);
  const at = reshape(
    rows,
    rowsShape.map((n, i) => (i === axis ? n : 1)),
  ).expand(rowsShape);
  const padding = new Array<number>(2 * (x.ndim - axis)).fill(0);
  padding[padding.length - 1] = 1;
  const target = pad(x, padding);
  const written = accumulate ? scatterAdd(target, axis, at, values) : scatter(target, axis, at, values);
  return slice(written, axis, 0, size);
}

/**
 * torch.masked_select: the elements of x where mask (broadcast with x) is true, as a 1-D tensor
 * (reads the mask back: the length depends on the data).
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  if (mask.dtype !== 'bool') throw new Error(`masked_select: expected BoolTensor for mask, got ${mask.dtype}`);
  const shape = tryBroadcastShapes(x.shape, mask.shape);
  if (shape === null) {
    throw new Error(
      `masked_select: The size of tensor a ${formatShape(x.shape)} must match the size of tensor b ${formatShape(mask.shape)} at a non-singleton dimension`,
    );
  }
  return op('maskedSelect', [x, mask], () => {
    const m = expand(mask, shape);
    return reshape(index(expand(x, shape), [m]), [-1]);
  });
}

/** torch.take: x read as 1-D at `index` (int32, any shape; negatives count from the end). */
export function take(x: Tensor, indices: Tensor): Tensor {
  if (indices.dtype !== 'int32') {
    throw new Error(
      `take(): Expected an int32 index tensor, got ${indices.dtype} (shape ${formatShape(indices.shape)})`,
    );
  }
  return op('take', [x, indices], () => index(reshape(x, [x.numel]), [indices]));
}

/** torch.narrow: `length` elements of dim from `start` (negative start counts from the end); errors as PyTorch. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  if (x.ndim === 0) throw new Error('narrow() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, x.ndim, 'narrow');
  const size = x.shape[d]!;
  if (!Number.isInteger(start) || start < -size || start > size) {
    throw new Error(
      `narrow(): start (${start}) out of range (expected to be in range of [${-size}, ${size}]) for dimension ${d} of size ${size}`,
    );
  }
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(length) || length < 0) throw new Error('narrow(): length must be non-negative.');
  if (s + length > size) {
    throw new Error(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  }
  return slice(x, d, s, s + length);
}
