/** Shared pieces of the data-movement kernels (they move 32-bit words, whatever the dtype). */
import { sizeOf, type DType, type Shape } from '@flint/core/backend';
import type { GpuDevice } from './device.js';
import { checkRank } from './elementwise.js';
import type { WebGpuStorage } from './storage.js';
import { bindings, coalesce, elementwiseMain, Params, walkOffsets } from './wgsl.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The 32-bit word storing `value` in `dtype` (float32 bits, int32 two's complement, bool 0/1). */
export function wordOf(value: number, dtype: DType): number {
  if (dtype === 'float32') {
    f32[0] = value;
    return u32[0]!;
  }
  if (dtype === 'int32') return (value | 0) >>> 0;
  return value !== 0 ? 1 : 0;
}

/**
 * out[i] = x[base + Σ coord_d(i) · strides[d]] over outShape: permute, expand and slice are this
 * walk with different strides. It moves words, so every dtype (and every float bit pattern) is exact.
 */
export function stridedCopy(
  dev: GpuDevice,
  x: WebGpuStorage,
  outShape: Shape,
  base: number,
  strides: readonly number[],
): WebGpuStorage {
  const n = sizeOf(outShape);
  const out = dev.alloc(n, x.dtype);
  if (n === 0) return out;
  const walk = coalesce(outShape, [strides]);
  const rank = walk.shape.length;
  if (rank === 1 && walk.strides[0]![0] === 1) {
    // A contiguous run: a buffer copy.
    dev.copy(x, base, out, 0, n);
    return out;
  }
  checkRank('strided copy', rank, 1);
  const pipe = dev.pipeline(
    `strided/r${rank}`,
    1,
    1,
    () =>
      bindings([['x', 'u32']], [['out', 'u32']]) +
      elementwiseMain(
        dev.workgroupSize,
        `${walkOffsets('i', rank, 2, [{ name: 'x', stridesAt: 2 + rank }])}  out[i] = x[pu(1u) + off_x];`,
      ),
  );
  const params = new Params().u(n).u(base).us(walk.shape).us(walk.strides[0]!);
  dev.dispatch(pipe, [x], [out], params.build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return out;
}

/** New storage of n elements, each set to the 32-bit `word`. */
export function fillWords(dev: GpuDevice, n: number, dtype: DType, word: number): WebGpuStorage {
  const out = dev.alloc(n, dtype);
  if (n === 0) return out;
  const pipe = dev.pipeline(
    'fill',
    0,
    1,
    () => bindings([], [['out', 'u32']]) + elementwiseMain(dev.workgroupSize, '  out[i] = pu(1u);'),
  );
  dev.dispatch(pipe, [], [out], new Params().u(n).u(word).build(), dev.grid(Math.ceil(n / dev.workgroupSize)));
  return out;
}
