/**
 * F.pad's non-constant modes (reflect, replicate, circular): each padded dim is one indexSelect
 * with a host-built index (no new kernel), so the gradient is indexSelect's scatter-add, which
 * accumulates where PyTorch's reflection/replication backward does.
 */
import { formatShape } from '../backend/shape.js';
import { fromArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { indexSelect } from './indexing.js';
import { pad as constantPad, reshape } from './layout.js';
import { op } from './op.js';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

const MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/** The source position of output position `p` (counted from the input's first element) in a dim of size `n`. */
function sourceIndex(mode: Exclude<PadMode, 'constant'>, p: number, n: number): number {
  if (mode === 'replicate') return Math.min(Math.max(p, 0), n - 1);
  if (mode === 'circular') return ((p % n) + n) % n;
  // reflect (no edge repeat): -1 -> 1, n -> n - 2
  if (p < 0) return -p;
  if (p >= n) return 2 * (n - 1) - p;
  return p;
}

/**
 * F.pad(input, pad, mode, value): pairs from the last dim backwards (left, right, top, bottom, ...).
 * Non-constant modes pad at most the last three dims of a 2-D to 5-D input (one leading dim is
 * kept unpadded, as PyTorch); reflect needs each pad below the dim's size, circular at most its size.
 */
export function padWithMode(x: Tensor, padding: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  if (!MODES.includes(mode))
    throw new Error(`pad: Unrecognised padding mode '${String(mode)}' (expected one of ${MODES.join(', ')})`);
  if (mode === 'constant') return constantPad(x, padding, value);
  if (value !== 0 && value !== undefined)
    throw new Error(`pad: Padding mode "${mode}" doesn't take in value argument (got value=${value})`);
  if (padding.length % 2 !== 0) throw new Error(`Padding length must be divisible by 2 (got ${padding.length})`);
  const padded = padding.length / 2;
  if (x.ndim < 2 || x.ndim > 5 || padded > Math.min(3, x.ndim - 1)) {
    throw new Error(
      `pad: mode '${mode}' pads the last 1 to 3 dims of a 2-D to 5-D input, keeping at least one leading dim (got padding of length ${padding.length} for input ${formatShape(x.shape)})`,
    );
  }
  for (const v of padding)
    if (!Number.isInteger(v)) throw new Error(`pad: padding must be integers, got ${formatShape(padding)}`);
  return op('pad', () => {
    let cur = x;
    for (let k = 0; k < padded; k++) {
      const dim = x.ndim - 1 - k;
      const before = padding[2 * k]!;
      const after = padding[2 * k + 1]!;
      if (before === 0 && after === 0) continue;
      const n = x.shape[dim]!;
      const tooLarge =
        mode === 'reflect' ? before >= n || after >= n : mode === 'circular' ? before > n || after > n : n === 0;
      if (tooLarge) {
        const bound = mode === 'reflect' ? 'less than' : mode === 'circular' ? 'at most' : 'used with a non-empty';
        throw new Error(
          `pad: padding size should be ${bound} the corresponding input dimension in mode '${mode}', but got padding (${before}, ${after}) at dimension ${dim} of input ${formatShape(x.shape)}`,
        );
      }
      const len = n + before + after;
      if (len < 0)
        throw new Error(`pad: negative output size ${len} at dimension ${dim} of input ${formatShape(x.shape)}`);
      const index = Int32Array.from({ length: len }, (_, i) => sourceIndex(mode, i - before, n));
      cur = indexSelect(cur, dim, fromArray(index, [len], { dtype: 'int32', device: x.device }));
    }
    return cur === x ? reshape(x, x.shape) : cur;
  });
}
