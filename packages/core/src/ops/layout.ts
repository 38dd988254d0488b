/** Layout ops: reshape/view (metadata only), permute, expand, slicing, cat/stack, pad, with gradients. */
import { formatShape, shapesEqual, sizeOf } from '../backend/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { castNoGrad, commonBackend, constant, output, promoteTypes } from './util.js';
import { op, recordGrad } from './op.js';
import { sumToShape } from './reduce.js';

/** Python-style dim wrapping with PyTorch's error message. */
export function normalizeDim(dim: number, rank: number, op = 'op'): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new Error(`${op}: Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + r : dim;
}

function inferShape(x: Tensor, shape: readonly number[]): number[] {
  const out = [...shape];
  const inferred = out.indexOf(-1);
  if (out.filter((d) => d === -1).length > 1) throw new Error('reshape: only one dimension can be inferred');
  const known = out.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (inferred >= 0) {
    if (known === 0 || x.numel % known !== 0) {
      throw new Error(`shape '${formatShape(shape)}' is invalid for input of size ${x.numel}`);
    }
    out[inferred] = x.numel / known;
  }
  if (out.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(out) !== x.numel) {
    throw new Error(
      `shape '${formatShape(shape)}' is invalid for input of size ${x.numel} (input shape ${formatShape(x.shape)})`,
    );
  }
  return out;
}

/** reshape/view: shares storage (tensors are contiguous), records the inverse reshape. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(x, shape);
  if (shapesEqual(target, x.shape) && !x.requiresGrad) return x._alias();
  const from = x.shape;
  // A view: no temporaries, so no op scope (see recordGrad).
  return recordGrad(x._alias(target), [x], [], (g) => [reshape(g, from)], 'reshape');
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim, 'flatten');
  const e = normalizeDim(endDim, x.ndim, 'flatten');
  if (s > e) throw new Error('flatten() has invalid args: start_dim cannot come after end_dim');
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, x.ndim, 'unflatten');
  const known = sizes.reduce((p, s) => (s === -1 ? p : p * s), 1);
  const resolved = sizes.map((s) => (s === -1 ? x.shape[d]! / known : s));
  if (sizeOf(resolved) !== x.shape[d]) {
    throw new Error(
      `unflatten: Provided sizes ${formatShape(sizes)} don't multiply up to the size of dim ${dim} (${x.shape[d]}) in the input tensor`,
    );
  }
  return reshape(x, [...x.shape.slice(0, d), ...resolved, ...x.shape.slice(d + 1)]);
}

export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  let dims: number[];
  if (dim === undefined) dims = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  else dims = (typeof dim === 'number' ? [dim] : [...dim]).map((d) => normalizeDim(d, x.ndim, 'squeeze'));
  return reshape(
    x,
    x.shape.filter((d, i) => !(dims.includes(i) && d === 1)),
  );
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, 'unsqueeze');
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new Error(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.ndim} is not equal to len(dims) = ${dims.length}`,
    );
  }
  const perm = dims.map((d) => normalizeDim(d, x.ndim, 'permute'));
  if (new Set(perm).size !== perm.length)
    throw new Error(`permute(): duplicate dims are not allowed (got ${formatShape(dims)})`);
  if (perm.every((p, i) => p === i)) return reshape(x, x.shape);
  const shape = perm.map((p) => x.shape[p]!);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inverse[p] = i;
  });
  const out = output(x.backend, x.backend.kernels.permute(x.ref, perm), shape, x.dtype);
  return recordGrad(out, [x], [], (g) => [permute(g, inverse)], 'permute');
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim === 0) return reshape(x, []);
  const a = normalizeDim(dim0, x.ndim, 'transpose');
  const b = normalizeDim(dim1, x.ndim, 'transpose');
  const perm = [...x.shape.keys()];
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < x.ndim) {
    throw new Error(
      `expand: the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim})`,
    );
  }
  const offset = sizes.length - x.ndim;
  const shape = sizes.map((s, i) => {
    const cur = i >= offset ? x.shape[i - offset]! : 1;
    if (s === -1) {
      if (i < offset) throw new Error('expand: -1 is not allowed in a leading, non-existing dimension');
      return cur;
    }
    if (cur !== 1 && cur !== s) {
      throw new Error(
        `The expanded size of the tensor (${s}) must match the existing size (${cur}) at non-singleton dimension ${i}.  Target sizes: ${formatShape(sizes)}.  Tensor sizes: ${formatShape(x.shape)}`,
      );
    }
    return s;
  });
  if (shapesEqual(shape, x.shape)) return reshape(x, shape);
  const from = x.shape;
  const out = output(x.backend, x.backend.kernels.expand(x.ref, shape), shape, x.dtype);
  return recordGrad(out, [x], [], (g) => [sumToShape(g, from)], 'expand');
}

export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.ndim) {
    throw new Error('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  }
  // repeat == expand over interleaved singleton dims, then reshape.
  const lead = repeats.length - x.ndim;
  const padded = [...Array(lead).fill(1), ...x.shape] as number[];
  const interleavedIn: number[] = [];
  const interleavedOut: number[] = [];
  padded.forEach((d, i) => {
    interleavedIn.push(1, d);
    interleavedOut.push(repeats[i]!, d);
  });
  const finalShape = padded.map((d, i) => d * repeats[i]!);
  return op('repeat', () => reshape(expand(reshape(x, interleavedIn), interleavedOut).clone(), finalShape));
}

export function clone(x: Tensor): Tensor {
  const out = output(x.backend, x.backend.kernels.copy(x.ref), x.shape, x.dtype);
  return recordGrad(out, [x], [], (g) => [g], 'clone');
}

/** Python slice along one dim: negatives wrap, out-of-range clamps, step >= 1. */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const d = normalizeDim(dim, x.ndim, 'slice');
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer (got ${step})`);
  const n = x.shape[d]!;
  const clampIndex = (v: number | null | undefined, fallback: number): number => {
    if (v === null || v === undefined) return fallback;
    const w = v < 0 ? v + n : v;
    return Math.min(Math.max(w, 0), n);
  };
  const s = clampIndex(start, 0);
  const e = Math.max(clampIndex(end, n), s);
  const len = Math.ceil((e - s) / step);
  if (s === 0 && len === n && step === 1) return reshape(x, x.shape);
  const begin = x.shape.map((_, i) => (i === d ? s : 0));
  const steps = x.shape.map((_, i) => (i === d ? step : 1));
  const shape = x.shape.map((v, i) => (i === d ? len : v));
  const from = x.shape;
  const out = output(x.backend, x.backend.kernels.slice(x.ref, begin, steps, shape), shape, x.dtype);
  return recordGrad(out, [x], [], (g) => [sliceBackward(g, from, d, s, len, step)], 'slice');
}

/**
 * slice's gradient: g placed back at its rows along `d`, zeros elsewhere. It is linear in g and its
 * own gradient is the slice again: recorded, so a createGraph backward differentiates through it.
 */
function sliceBackward(g: Tensor, from: readonly number[], d: number, s: number, len: number, step: number): Tensor {
  return op('sliceBackward', () => {
    let grad: Tensor;
    if (step === 1) {
      const pads = from.map((size, i) =>
        i === d ? ([s, size - s - len] as [number, number]) : ([0, 0] as [number, number]),
      );
      grad = output(g.backend, g.backend.kernels.pad(g.ref, pads, 0), from, g.dtype);
    } else {
      // Strided: scatter the gradient rows back to their positions along `d`.
      const positions = Int32Array.from({ length: len }, (_, i) => s + i * step);
      const index = output(g.backend, g.backend.kernels.write(positions, [len], 'int32'), [len], 'int32');
      const idxShape = from.map((_, i) => (i === d ? len : 1));
      const idxFull = reshape(index, idxShape).expand(g.shape);
      const zeros = constant(g.backend, 0, g.dtype, from);
      grad = output(g.backend, g.backend.kernels.scatterAdd(zeros.ref, d, idxFull.ref, g.ref), from, g.dtype);
    }
    return recordGrad(grad, [g], [], (gg) => [slice(gg, d, s, s + (len - 1) * step + 1, step)]);
  });
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, x.ndim, 'select');
  const n = x.shape[d]!;
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new Error(
      `select(): index ${index} out of range for tensor of size ${formatShape(x.shape)} at dimension ${dim}`,
    );
  }
  const i = index < 0 ? index + n : index;
  return op('select', () => squeeze(slice(x, d, i, i + 1), d));
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('torch.cat(): expected a non-empty list of Tensors');
  const scalarAt = tensors.findIndex((t) => t.ndim === 0);
  if (scalarAt >= 0)
    throw new Error(`torch.cat(): zero-dimensional tensor (at position ${scalarAt}) cannot be concatenated`);
  // PyTorch skips 1-D empty tensors in cat.
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) return reshape(tensors[0]!, tensors[0]!.shape);
  const first = parts[0]!;
  const axis = normalizeDim(dim, first.ndim, 'cat');
  const backend = commonBackend('cat', parts);
  for (const [k, t] of parts.entries()) {
    if (t.ndim !== first.ndim) {
      throw new Error(`torch.cat(): Tensors must have same number of dimensions: got ${first.ndim} and ${t.ndim}`);
    }
    for (let i = 0; i < t.ndim; i++) {
      if (i !== axis && t.shape[i] !== first.shape[i]) {
        throw new Error(
          `torch.cat(): Sizes of tensors must match except in dimension ${axis}. Expected size ${first.shape[i]} but got size ${t.shape[i]} for tensor number ${k} in the list (shapes ${formatShape(first.shape)} and ${formatShape(t.shape)}).`,
        );
      }
    }
  }
  // Mixed dtypes promote as in PyTorch (bool < int32 < float32); the casts carry no gradient.
  const dtype = parts.reduce((dt, t) => promoteTypes(dt, t.dtype), first.dtype);
  const sizes = parts.map((t) => t.shape[axis]!);
  const shape = first.shape.map((d, i) => (i === axis ? sizes.reduce((a, b) => a + b, 0) : d));
  return op('cat', () => {
    const inputs = parts.map((t) => castNoGrad(t, dtype));
    const out = output(
      backend,
      backend.kernels.concat(
        inputs.map((t) => t.ref),
        axis,
        shape,
      ),
      shape,
      dtype,
    );
    return recordGrad(out, inputs, [], (g) => {
      let offset = 0;
      return sizes.map((len) => {
        const piece = slice(g, axis, offset, offset + len);
        offset += len;
        return piece;
      });
    });
  });
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack expects a non-empty TensorList');
  const first = tensors[0]!;
  for (const [k, t] of tensors.entries()) {
    if (!shapesEqual(t.shape, first.shape)) {
      throw new Error(
        `stack expects each tensor to be equal size, but got ${formatShape(first.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${k}`,
      );
    }
  }
  const d = normalizeDim(dim, first.ndim + 1, 'stack');
  return op('stack', () =>
    cat(
      tensors.map((t) => unsqueeze(t, d)),
      d,
    ),
  );
}

export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.ndim, 'split');
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSizeOrSections === 'number') {
    const size = splitSizeOrSections;
    if (size <= 0 && n > 0) throw new Error(`split: split_size must be positive (got ${size})`);
    sizes = [];
    for (let i = 0; i < n; i += size) sizes.push(Math.min(size, n - i));
    if (sizes.length === 0) sizes.push(0);
  } else {
    sizes = [...splitSizeOrSections];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) {
      throw new Error(
        `split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${dim}), but got split_sizes=${formatShape(sizes)}`,
      );
    }
  }
  let offset = 0;
  return sizes.map((len) => {
    const piece = slice(x, d, offset, offset + len);
    offset += len;
    return piece;
  });
}

export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new Error(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normalizeDim(dim, x.ndim, 'chunk');
  // An empty dim gives `chunks` empty pieces, as PyTorch (split would give one).
  if (x.shape[d] === 0) return split(x, new Array<number>(chunks).fill(0), d);
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}

export function unbind(x: Tensor, dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.ndim, 'unbind');
  return Array.from({ length: x.shape[d]! }, (_, i) => select(x, d, i));
}

/**
 * F.pad with PyTorch's argument order: pairs from the LAST dim backwards,
 * (left, right, top, bottom, ...). Negative pads crop. Constant mode only.
 */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  if (padding.length % 2 !== 0) throw new Error(`Padding length must be divisible by 2 (got ${padding.length})`);
  if (padding.length / 2 > x.ndim) {
    throw new Error(
      `Padding length should be less than or equal to two times the input dimension but got padding length ${padding.length} and input of dimension ${x.ndim}`,
    );
  }
  const pads: [number, number][] = x.shape.map(() => [0, 0]);
  for (let k = 0; k < padding.length / 2; k++) pads[x.ndim - 1 - k] = [padding[2 * k]!, padding[2 * k + 1]!];
  return op('pad', () => {
    // Crop first (negative pads), then pad the rest.
    let src = x;
    for (let i = 0; i < x.ndim; i++) {
      const [before, after] = pads[i]!;
      if (before < 0 || after < 0) {
        const n = src.shape[i]!;
        src = slice(src, i, Math.max(0, -before), n - Math.max(0, -after));
      }
    }
    const positive = pads.map(([b, a]) => [Math.max(0, b), Math.max(0, a)] as [number, number]);
    if (positive.every(([b, a]) => b === 0 && a === 0)) return src === x ? reshape(x, x.shape) : src;
    const shape = src.shape.map((d, i) => d + positive[i]![0] + positive[i]![1]);
    const out = output(src.backend, src.backend.kernels.pad(src.ref, positive, value), shape, src.dtype);
    const srcShape = src.shape;
    // The crop is the recorded node's input: its graph stays alive through the node's edge.
    return recordGrad(out, [src], [], (g) => {
      let r = g;
      for (let i = 0; i < shape.length; i++) {
        const [b] = positive[i]!;
        if (b !== 0 || positive[i]![1] !== 0) r = slice(r, i, b, b + srcShape[i]!);
      }
      return [r === g ? reshape(g, g.shape) : r];
    });
  });
}

/** `.to(device)`: the gradient flows back to the source device. */
export function recordDeviceCopy(src: Tensor, out: Tensor): Tensor {
  const device = src.device;
  return op('toDevice', () => recordGrad(out, [src], [], (g) => [g.to(device)]));
}
