import { describe, expect, it } from 'vitest';
import { kernels } from '../kernels.js';
import { clearBufferPool, HEAP_MIN_ELEMENTS, release, take, takeF32, zeroed } from './buffers.js';
import { createHeap, heap } from './heap.js';

/** A deterministic generator of sizes (xorshift32), so a failure reproduces. */
function sizes(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

describe('storage heap allocator', () => {
  it('hands out 64-byte aligned, disjoint blocks and reuses a freed one', () => {
    const h = createHeap(2 ** 20)!;
    const a = h.alloc(100);
    const b = h.alloc(64);
    const c = h.alloc(1000);
    expect([a % 64, b % 64, c % 64]).toEqual([0, 0, 0]);
    expect(b).toBeGreaterThanOrEqual(a + 128);
    expect(c).toBeGreaterThanOrEqual(b + 64);
    h.free(b);
    expect(h.alloc(10)).toBe(b);
    expect(() => h.free(b + 32)).toThrow(/no allocated block at byte/);
  });

  it('coalesces freed neighbours, so a larger request fits where two smaller blocks were', () => {
    const h = createHeap(2 ** 20)!;
    const a = h.alloc(4096);
    const b = h.alloc(4096);
    const guard = h.alloc(64);
    h.free(a);
    h.free(b);
    expect(h.freeBlockCount).toBe(1);
    expect(h.alloc(8192)).toBe(a);
    // a block freed next to the bump pointer lowers it
    h.free(guard);
    expect(h.freeBlockCount).toBe(0);
    expect(h.alloc(64)).toBe(guard);
  });

  it('stays flat over many alloc/free cycles of varying sizes (bounded fragmentation)', () => {
    const h = createHeap(2 ** 28)!;
    const next = sizes(12345);
    const live: number[] = [];
    const sizeAt = new Map<number, number>();
    let peakLive = 0;
    let highAfterWarmup = 0;
    for (let cycle = 0; cycle < 400; cycle++) {
      // a "step": 20..60 blocks of 1 KiB .. 1 MiB, with a random few kept over to the next step
      const count = 20 + (next() % 40);
      for (let i = 0; i < count; i++) {
        const bytes = 1024 + (next() % 2 ** 20);
        const at = h.alloc(bytes);
        expect(at).toBeGreaterThanOrEqual(0);
        // disjoint from every live block
        for (const other of live) {
          const end = other + sizeAt.get(other)!;
          if (at < end && other < at + bytes) throw new Error(`block ${at}+${bytes} overlaps ${other}..${end}`);
        }
        live.push(at);
        sizeAt.set(at, bytes);
      }
      peakLive = Math.max(peakLive, h.usedBytes);
      while (live.length > 5) {
        const k = next() % live.length;
        h.free(live[k]!);
        live[k] = live[live.length - 1]!;
        live.pop();
      }
      if (cycle === 100) highAfterWarmup = h.highWaterBytes;
    }
    // memory touched by blocks stops growing after the warm-up and stays within 1.5x the peak live bytes
    expect(h.highWaterBytes).toBeLessThanOrEqual(highAfterWarmup * 1.1);
    expect(h.highWaterBytes).toBeLessThan(peakLive * 1.5);
    for (const at of live) h.free(at);
    expect(h.usedBytes).toBe(0);
    expect(h.freeBlockCount).toBe(0);
  });

  it('returns -1 / null when full and serves again once blocks are freed', () => {
    const h = createHeap(2 ** 20)!;
    const big = h.alloc(h.capacity);
    expect(big).toBeGreaterThanOrEqual(0);
    expect(h.alloc(64)).toBe(-1);
    expect(h.takeF32(16)).toBeNull();
    expect(h.alloc(2 ** 21)).toBe(-1);
    h.free(big);
    expect(h.takeF32(16)).not.toBeNull();
  });
});

describe.skipIf(heap === null)('backend storage in the heap', () => {
  const H = heap!;

  it('takes float32 and int32 arrays of HEAP_MIN_ELEMENTS+ from the heap, and short or bool ones from JavaScript', () => {
    const f = takeF32(HEAP_MIN_ELEMENTS);
    const i = take('int32', 3000);
    const z = zeroed('float32', 2048);
    expect([H.owns(f), H.owns(i), H.owns(z)]).toEqual([true, true, true]);
    expect(Array.from(z).every((v) => v === 0)).toBe(true);
    expect(H.holds(takeF32(HEAP_MIN_ELEMENTS - 1))).toBe(false);
    expect(H.holds(take('bool', 4096))).toBe(false);
    for (const a of [f, i, z]) release(a);
  });

  it('a released array comes back for the same length; a subarray of a heap array is never freed', () => {
    const used = H.usedBytes;
    const a = takeF32(4096);
    release(a.subarray(0, 1024));
    expect(H.usedBytes).toBe(used + 4096 * 4);
    release(a);
    expect(H.usedBytes).toBe(used);
    release(a); // a second release is ignored
    expect(H.usedBytes).toBe(used);
    expect(H.owns(a)).toBe(false);
    const b = takeF32(4096);
    expect(b).toBe(a);
    expect(H.owns(b)).toBe(true);
    // an int32 take of the same length does not get the float32 array
    const i = take('int32', 4096);
    expect(i.byteOffset).not.toBe(a.byteOffset);
    release(b);
    release(i);
  });

  it('stays flat over many take/release cycles of varying lengths (the quick lists flush before it grows)', () => {
    clearBufferPool();
    const next = sizes(777);
    const highs: number[] = [];
    let peakLive = 0;
    for (let step = 0; step < 300; step++) {
      // a step's temporaries: one batch size for most steps, another for every tenth (an evaluation)
      const batch = step % 10 === 9 ? 37 : 64;
      const arrays = [];
      for (let k = 0; k < 30; k++) arrays.push(takeF32(batch * (256 + (next() % 4096))));
      peakLive = Math.max(peakLive, H.usedBytes);
      for (const a of arrays) release(a);
      highs.push(H.highWaterBytes);
    }
    expect(highs[299]).toBe(highs[100]);
    expect(H.highWaterBytes).toBeLessThan(peakLive * 2);
    clearBufferPool();
  });

  it('falls back to JavaScript arrays when the heap is full, and back to the heap once it has room', () => {
    const blocks: number[] = [];
    for (let size = 2 ** 26; size >= 64; size /= 2)
      for (let at = H.alloc(size); at >= 0; at = H.alloc(size)) blocks.push(at);
    const js = takeF32(4096);
    expect(H.holds(js)).toBe(false);
    js.fill(2);
    const s = kernels.write(js, [4096], 'float32');
    const doubled = kernels.add(
      { storage: s, shape: [4096], dtype: 'float32' },
      { storage: s, shape: [4096], dtype: 'float32' },
      [4096],
    );
    expect(H.holds(doubled.data)).toBe(false);
    expect(Array.from(kernels.readSync({ storage: doubled, shape: [4096], dtype: 'float32' }).slice(0, 3))).toEqual([
      4, 4, 4,
    ]);
    for (const at of blocks) H.free(at);
    const back = takeF32(4096);
    expect(H.owns(back)).toBe(true);
    release(back);
    kernels.dispose(s);
    kernels.dispose(doubled);
  });

  it('reads return copies outside the heap, which a later reuse of the block cannot change', () => {
    const x = kernels.fill([2048], 'float32', 3);
    expect(H.owns(x.data)).toBe(true);
    const ref = { storage: x, shape: [2048], dtype: 'float32' } as const;
    const copy = kernels.readSync(ref);
    expect(copy.buffer).not.toBe(H.buffer);
    kernels.dispose(x);
    const y = kernels.fill([2048], 'float32', -1);
    expect(y.data.byteOffset).toBe(x.data.byteOffset);
    expect(Array.from(copy.slice(0, 2))).toEqual([3, 3]);
    kernels.dispose(y);
  });
});
