import type { TensorRef } from '@flint/core/backend';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kernels } from '../kernels.js';
import { type CpuStorage, cpuMemory } from '../storage.js';
import { clearBufferPool, pooledBufferBytes, release, setHeapStorage, take, takeF32, zeroed } from './buffers.js';
import { heap } from './heap.js';

const ref = (s: CpuStorage, shape: number[]): TensorRef<CpuStorage> => ({ storage: s, shape, dtype: s.dtype });

/**
 * Free `count` arrays of length n full of NaN (or -7, or 0xAA bytes) as stale garbage: into the
 * pool, or into the heap's free blocks when it is on (taken first, so that they are distinct).
 */
function poisonPool(n: number, count = 4): void {
  const arrays = [];
  for (let i = 0; i < count; i++)
    arrays.push(take('float32', n).fill(Number.NaN), take('int32', n).fill(-7), take('bool', n).fill(0xaa));
  for (const a of arrays) release(a);
}

describe('buffer pool', () => {
  let heapWas = false;
  beforeAll(() => {
    heapWas = heap !== null && setHeapStorage(false);
  });
  afterAll(() => {
    if (heapWas) setHeapStorage(true);
  });
  afterEach(() => clearBufferPool());

  it('hands a released array back for the same length and dtype only', () => {
    const a = new Float32Array(1024);
    release(a);
    expect(pooledBufferBytes()).toBe(4096);
    expect(take('int32', 1024)).not.toBe(a);
    expect(takeF32(1023)).not.toBe(a);
    expect(takeF32(1024)).toBe(a);
    expect(pooledBufferBytes()).toBe(0);
    expect(takeF32(1024)).not.toBe(a);
  });

  it('zeroed() clears a reused array; subarrays and tiny arrays are never pooled', () => {
    release(new Float32Array(256).fill(3));
    expect(Array.from(zeroed('float32', 256)).every((v) => v === 0)).toBe(true);
    const big = new Float32Array(2048);
    release(big.subarray(0, 1024));
    release(new Float32Array(8));
    expect(pooledBufferBytes()).toBe(0);
  });

  it('disposing a storage returns its array; live-memory counters still count only live storages', () => {
    const before = cpuMemory();
    const s = kernels.fill([32, 32], 'float32', 2);
    const data = s.data;
    expect(cpuMemory().bytes - before.bytes).toBe(4096);
    kernels.dispose(s);
    kernels.dispose(s); // idempotent: pooled once
    expect(cpuMemory()).toEqual(before);
    expect(pooledBufferBytes()).toBe(4096);
    const t = kernels.fill([1024], 'float32', 0);
    expect(t.data).toBe(data);
    expect(Array.from(t.data).every((v) => v === 0)).toBe(true);
    kernels.dispose(t);
  });
});

describe.each(heap === null ? [false] : [false, true])('reused storage (heap %s)', (onHeap) => {
  let heapWas = false;
  beforeAll(() => {
    heapWas = heap !== null && setHeapStorage(onHeap);
  });
  afterAll(() => {
    if (heap !== null) setHeapStorage(heapWas);
  });
  afterEach(() => clearBufferPool());

  it("kernels that accumulate into their output see zeros, not a reused array's stale values", () => {
    const n = 2 * 3 * 24 * 24;
    const x = kernels.write(
      Float32Array.from({ length: n }, (_, i) => Math.sin(i)),
      [2, 3, 24, 24],
      'float32',
    );
    const w = kernels.write(
      Float32Array.from({ length: 3 * 3 * 9 }, (_, i) => Math.cos(i)),
      [3, 3, 3, 3],
      'float32',
    );
    const params = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 } as const;
    const pool = {
      kernelSize: [2, 2],
      stride: [2, 2],
      padding: [0, 0],
      dilation: [1, 1],
      ceilMode: false,
      countIncludePad: true,
    } as const;
    const run = (): number[][] => {
      const dx = kernels.conv2dBackwardInput(ref(x, [2, 3, 24, 24]), ref(w, [3, 3, 3, 3]), [2, 3, 24, 24], params);
      const { values, indices } = kernels.maxPool2d(ref(x, [2, 3, 24, 24]), pool, [2, 3, 12, 12]);
      const mdx = kernels.maxPool2dBackward(ref(values, [2, 3, 12, 12]), ref(indices, [2, 3, 12, 12]), [2, 3, 24, 24]);
      const adx = kernels.avgPool2dBackward(ref(values, [2, 3, 12, 12]), [2, 3, 24, 24], pool);
      const s = kernels.sum(ref(x, [2, 3, 24, 24]), [0]);
      const padded = kernels.pad(
        ref(x, [2, 3, 24, 24]),
        [
          [0, 0],
          [1, 0],
          [0, 2],
          [1, 1],
        ],
        0,
      );
      const out = [dx, mdx, adx, s, padded].map((r) => Array.from(r.data));
      for (const r of [dx, values, indices, mdx, adx, s, padded]) kernels.dispose(r);
      return out;
    };
    clearBufferPool();
    const fresh = run();
    clearBufferPool();
    poisonPool(n);
    poisonPool(3 * 24 * 24);
    poisonPool(2 * 3 * 12 * 12);
    expect(run()).toEqual(fresh);
    kernels.dispose(x);
    kernels.dispose(w);
  });

  it('kernels that overwrite their output take a stale pooled array and still write every element', () => {
    const shape = [4, 6, 64];
    const n = 4 * 6 * 64;
    const x = kernels.write(
      Float32Array.from({ length: n }, (_, i) => Math.sin(i)),
      shape,
      'float32',
    );
    const xi = kernels.write(
      Int32Array.from({ length: n }, (_, i) => i - 50),
      shape,
      'int32',
    );
    const row = kernels.write(
      Float32Array.from({ length: 64 }, (_, i) => i / 3),
      [1, 1, 64],
      'float32',
    );
    const run = (): number[][] => {
      const outs = [
        kernels.permute(ref(x, shape), [2, 0, 1]),
        kernels.permute(ref(xi, shape), [1, 0, 2]),
        kernels.slice(ref(x, shape), [0, 0, 0], [1, 1, 1], shape),
        kernels.expand(ref(row, [1, 1, 64]), shape),
        kernels.concat([ref(x, shape), ref(x, shape)], 1, [4, 12, 64]),
        kernels.pad(
          ref(x, shape),
          [
            [0, 0],
            [0, 0],
            [8, 8],
          ],
          2.5,
        ),
        kernels.pad(
          ref(xi, shape),
          [
            [0, 0],
            [0, 0],
            [8, 8],
          ],
          0,
        ),
        kernels.sum(ref(x, [4, 6, 64]), [1]),
        kernels.add(ref(x, shape), ref(row, [1, 1, 64]), shape),
      ];
      const data = outs.map((r) => Array.from(r.data));
      for (const r of outs) kernels.dispose(r);
      return data;
    };
    clearBufferPool();
    const fresh = run();
    clearBufferPool();
    for (const size of [n, 2 * n, 4 * 6 * 80, 4 * 64]) poisonPool(size);
    expect(run()).toEqual(fresh);
    // the values themselves, not just fresh == reused
    expect(fresh[5]!.slice(0, 8)).toEqual(new Array(8).fill(2.5));
    expect(fresh[1]!.slice(0, 3)).toEqual([-50, -49, -48]);
    for (const r of [x, xi, row]) kernels.dispose(r);
  });
});
