/**
 * Shape ops composed from slices, cat, expand, permute and indexSelect (gradients come from
 * those): flip, roll, hstack, vstack, tile, repeatInterleave, meshgrid, broadcastTo, movedim, t.
 */
import { formatShape } from '../backend/shape.js';
import { isTensor } from '../tensor/binding.js';
import type { Tensor } from '../tensor/tensor.js';
import { indexSelect } from './indexing.js';
import { cat, expand, normalizeDim, permute, repeat, reshape, slice, transpose } from './layout.js';
import { normalizeDims } from './reduce.js';
import { output } from './util.js';
import { op } from './op.js';

const fmt = formatShape;
const asList = (v: number | readonly number[]): number[] => (typeof v === 'number' ? [v] : [...v]);

/** An int32 index vector written from the host (no readback: the values are known here). */
function hostIndex(x: Tensor, values: readonly number[]): Tensor {
  return output(
    x.backend,
    x.backend.kernels.write(Int32Array.from(values), [values.length], 'int32'),
    [values.length],
    'int32',
  );
}

/** torch.flip: reverse the order along each of `dims`. */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const list = asList(dims);
  // normalizeDims treats [] as every dim; flip([]) is the identity.
  const axes = list.length === 0 ? [] : normalizeDims(list, x.ndim, 'flip');
  return op('flip', () => {
    let out = x;
    for (const d of axes) {
      const n = x.shape[d] ?? 1;
      if (n <= 1) continue;
      out = indexSelect(
        out,
        d,
        hostIndex(
          x,
          Array.from({ length: n }, (_, i) => n - 1 - i),
        ),
      );
    }
    return out === x ? reshape(x, x.shape) : out;
  });
}

/**
 * torch.roll: shift elements along dims (circularly); without dims the flattened tensor is rolled
 * and the shape restored.
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
  const s = asList(shifts);
  if (dims === undefined || dims === null) {
    if (s.length !== 1) throw new Error(`roll: shifts and dimensions must align. shifts: ${s.length}, dims:0`);
    return op('roll', () => reshape(roll(reshape(x, [x.numel]), s[0]!, 0), x.shape));
  }
  const d = asList(dims);
  if (s.length !== d.length)
    throw new Error(`roll: shifts and dimensions must align. shifts: ${s.length}, dims:${d.length}`);
  if (x.ndim === 0) throw new Error(`roll: Dimension specified as ${d[0]} but tensor has no dimensions`);
  const axes = d.map((v) => normalizeDim(v, x.ndim, 'roll'));
  return op('roll', () => {
    let out = x;
    axes.forEach((axis, k) => {
      const n = x.ndim === 0 ? 1 : x.shape[axis]!;
      if (!Number.isInteger(s[k])) throw new Error(`roll: shifts must be integers (got ${s[k]})`);
      const shift = n === 0 ? 0 : ((s[k]! % n) + n) % n;
      if (shift === 0 || x.ndim === 0) return;
      out = cat([slice(out, axis, n - shift, n), slice(out, axis, 0, n - shift)], axis);
    });
    return out === x ? reshape(x, x.shape) : out;
  });
}

function requireNonEmpty(op: string, tensors: readonly Tensor[]): void {
  if (tensors.length === 0) throw new Error(`${op} expects a non-empty TensorList`);
}

/** torch.hstack: concatenate along dim 1 (dim 0 for 1-D tensors); 0-d tensors count as 1-D. */
export function hstack(tensors: readonly Tensor[]): Tensor {
  requireNonEmpty('hstack', tensors);
  return op('hstack', () => {
    const parts = tensors.map((t) => (t.ndim === 0 ? reshape(t, [1]) : t));
    return cat(parts, parts[0]!.ndim === 1 ? 0 : 1);
  });
}

/** torch.vstack: concatenate along dim 0 after making every tensor at least 2-D ([n] -> [1, n]). */
export function vstack(tensors: readonly Tensor[]): Tensor {
  requireNonEmpty('vstack', tensors);
  return op('vstack', () =>
    cat(
      tensors.map((t) => (t.ndim < 2 ? reshape(t, [1, t.numel]) : t)),
      0,
    ),
  );
}

/** torch.tile: repeat with `dims` padded by leading 1s to the tensor's rank (or the tensor by leading 1-dims). */
export function tile(x: Tensor, dims: number | readonly number[]): Tensor {
  const reps = asList(dims);
  for (const r of reps) {
    if (!Number.isInteger(r) || r < 0) {
      throw new Error(
        `tile: Trying to create tensor with negative dimension ${r}: ${fmt(reps)} (tensor shape ${fmt(x.shape)})`,
      );
    }
  }
  const padded = [...Array<number>(Math.max(0, x.ndim - reps.length)).fill(1), ...reps];
  return repeat(x, padded);
}

/**
 * torch.repeat_interleave: repeat each element (without dim: of the flattened tensor) `repeats`
 * times, or repeats[i] times for the i-th slice along dim. A number or a host array costs no
 * readback; an int32 tensor of repeats is read back first (the output size depends on its values,
 * and PyTorch synchronises there too).
 */
export function repeatInterleave(x: Tensor, repeats: number | readonly number[] | Tensor, dim?: number | null): Tensor {
  if (dim === undefined || dim === null)
    return op('repeatInterleave', () => repeatInterleave(reshape(x, [x.numel]), repeats, 0));
  if (x.ndim === 0) throw new Error(`repeatInterleave: Dimension specified as ${dim} but tensor has no dimensions`);
  const d = normalizeDim(dim, x.ndim, 'repeatInterleave');
  const n = x.shape[d]!;
  let counts: number[];
  if (isTensor(repeats)) {
    if (repeats.dtype !== 'int32')
      throw new Error(`repeatInterleave: repeats has to be an int32 tensor (got ${repeats.dtype})`);
    if (repeats.ndim > 1)
      throw new Error(`repeatInterleave: repeats must be 0-dim or 1-dim tensor (got shape ${fmt(repeats.shape)})`);
    counts = [...repeats.dataSync()];
  } else counts = asList(repeats);
  for (const c of counts) {
    if (!Number.isInteger(c) || c < 0) throw new Error(`repeatInterleave: repeats can not be negative (got ${c})`);
  }
  if (counts.length === 1) {
    const r = counts[0]!;
    if (x.ndim === 0) return op('repeatInterleave', () => expand(reshape(x, [1]), [r]).clone());
    // [.., n, ..] -> [.., n, r, ..] -> [.., n*r, ..]
    const shape = [...x.shape];
    const inserted = [...shape.slice(0, d + 1), 1, ...shape.slice(d + 1)];
    const expanded = [...shape.slice(0, d + 1), r, ...shape.slice(d + 1)];
    shape[d] = n * r;
    return op('repeatInterleave', () => reshape(expand(reshape(x, inserted), expanded), shape));
  }
  if (counts.length !== n) {
    throw new Error(
      `repeatInterleave: repeats must have the same size as input along dim (${counts.length} repeats for size ${n} at dim ${d} of ${fmt(x.shape)})`,
    );
  }
  const index = counts.flatMap((c, i) => Array<number>(c).fill(i));
  return op('repeatInterleave', () => indexSelect(x.ndim === 0 ? reshape(x, [1]) : x, d, hostIndex(x, index)));
}

export interface MeshgridOptions {
  /** 'ij' (matrix indexing, the default) or 'xy' (Cartesian: the first two outputs' dims swapped). */
  indexing?: 'ij' | 'xy';
}

/** torch.meshgrid(*tensors, indexing): 0-D or 1-D inputs -> one grid per input, all of the same shape. */
export function meshgrid(...args: (Tensor | readonly Tensor[] | MeshgridOptions)[]): Tensor[] {
  let rest = [...args];
  let options: MeshgridOptions = {};
  const last = rest[rest.length - 1];
  if (last !== undefined && !isTensor(last) && !Array.isArray(last)) {
    options = last as MeshgridOptions;
    rest = rest.slice(0, -1);
  }
  const tensors = (rest.length === 1 && Array.isArray(rest[0]) ? rest[0] : rest) as Tensor[];
  const indexing = options.indexing ?? 'ij';
  if (indexing !== 'ij' && indexing !== 'xy')
    throw new Error(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${String(indexing)}`);
  if (tensors.length === 0) throw new Error('meshgrid expects a non-empty TensorList');
  for (const [k, t] of tensors.entries()) {
    if (t.ndim > 1)
      throw new Error(
        `torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: shape ${fmt(t.shape)} at ${k}`,
      );
    if (t.dtype !== tensors[0]!.dtype) throw new Error('meshgrid expects all tensors to have the same dtype');
    if (t.device !== tensors[0]!.device) throw new Error('meshgrid expects all tensors to have the same device');
  }
  const sizes = tensors.map((t) => t.numel);
  // 'xy' swaps the roles of the first two inputs in the output's dims.
  const order = sizes.map((_, i) => i);
  if (indexing === 'xy' && order.length >= 2) [order[0], order[1]] = [1, 0];
  const shape = order.map((i) => sizes[i]!);
  return tensors.map((t, i) => {
    const position = order.indexOf(i);
    const view = shape.map((s, j) => (j === position ? s : 1));
    return op('meshgrid', () => expand(reshape(t, view), shape));
  });
}

/** torch.broadcast_to: expand to `shape` (-1 keeps a size), with expand's errors. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, shape);
}

/** torch.movedim / moveaxis: move dims `source` to positions `destination`, the others keeping their order. */
export function movedim(
  x: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  const src = asList(source);
  const dst = asList(destination);
  if (src.length !== dst.length) {
    throw new Error(
      `movedim: Invalid source or destination dims: source (${fmt(src)} dims) should contain the same number of dims as destination (${fmt(dst)} dims)`,
    );
  }
  const s = src.map((d) => normalizeDim(d, x.ndim, 'movedim'));
  const t = dst.map((d) => normalizeDim(d, x.ndim, 'movedim'));
  if (new Set(s).size !== s.length) throw new Error(`movedim: repeated dim in \`source\` (${fmt(src)})`);
  if (new Set(t).size !== t.length) throw new Error(`movedim: repeated dim in \`destination\` (${fmt(dst)})`);
  if (x.ndim === 0) return reshape(x, x.shape);
  const order = new Array<number>(x.ndim).fill(-1);
  s.forEach((from, k) => {
    order[t[k]!] = from;
  });
  const others = [...x.shape.keys()].filter((d) => !s.includes(d));
  let next = 0;
  for (let i = 0; i < order.length; i++) if (order[i] === -1) order[i] = others[next++]!;
  return permute(x, order);
}

/** torch.t: transpose a 2-D tensor; 0-D and 1-D come back as they are. */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  return x.ndim < 2 ? reshape(x, x.shape) : transpose(x, 0, 1);
}
