/**
 * One WebAssembly.Memory for the SIMD modules (elementwise.wat, pool.wat, conv.wat and the
 * one-thread GEMM's gemm.wat import it) and for the storage of float32 and int32 tensors: an
 * array allocated here is a view into that memory, so a kernel passes its address to the
 * module instead of copying it in and out.
 *
 * The memory is reserved whole up front (initial = maximum = HEAP_BYTES): a non-shared memory's
 * grow() detaches its buffer and every live view with it, and the pages of a reservation are
 * committed only when first written, so RSS grows with use alone. Where the reservation fails
 * (a small address space), `heap` is null and storage stays in JavaScript arrays; where the heap
 * is full an allocation returns null and the caller takes a JavaScript array (such arrays take the
 * copying path in the modules, as before).
 *
 * Allocator: segregated free lists with coalescing. Blocks are whole 64-byte granules, free
 * blocks are binned by size class (exact below 16 granules, then 8 classes per power of two, so
 * a class spans at most 12.5%), a request takes the first large-enough block of its class or any
 * block of a larger class and splits off the rest, and a freed block merges with free neighbours
 * (a block that reaches the bump pointer lowers it). Fragmentation stays bounded when sizes vary
 * (an evaluation with a different last batch): freed space coalesces back instead of piling up
 * per size.
 *
 * In front of it, released arrays wait in quick lists by length and type (at most QUICK_PER_LENGTH
 * each, QUICK_LIMIT_BYTES in all), and a take of the same length gets the same array object
 * back: a training step frees the sizes it takes next step, and this costs a tenth of a block
 * allocation plus a new view. The quick lists are flushed into the allocator (coalescing) before
 * the heap would touch memory it never used, so they cannot make it grow.
 */
import type { DataArray } from '@flint/core/backend';

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

const PAGE = 65536;
const GRANULE = 64;
const GRANULE_SHIFT = 6;
/** Bytes kept unused at the top: the modules' f32x4 loops may read a vector past an operand. */
const TOP_SLACK = 256;
/** The reservations tried in turn (1 GiB, then 256 MiB). */
const HEAP_SIZES = [2 ** 30, 2 ** 28];
/** Arrays kept per length and type in the quick lists, and their bytes in all. */
const QUICK_PER_LENGTH = 32;
const QUICK_LIMIT_BYTES = 2 ** 27;

/** The bytes of the block that holds `bytes`: whole granules, at least one. */
const blockBytes = (bytes: number): number => Math.max(GRANULE, (bytes + GRANULE - 1) & ~(GRANULE - 1));

/** Exact classes below this many granules, then 8 per power of two. */
const EXACT = 16;
function classOf(granules: number): number {
  if (granules < EXACT) return granules;
  const e = 31 - Math.clz32(granules);
  return EXACT + (e - 4) * 8 + ((granules >>> (e - 3)) & 7);
}

export class Heap {
  readonly memory: WasmMemory;
  readonly buffer: ArrayBuffer;
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  readonly f64: Float64Array;
  /** Bytes blocks may occupy. */
  readonly capacity: number;
  /** The bump pointer: every byte at or above it is free. */
  #top = 0;
  #highWater = 0;
  #usedBytes = 0;
  /** Free blocks below the bump pointer: start -> bytes, end -> start, and by size class. */
  readonly #freeSize = new Map<number, number>();
  readonly #freeAt = new Map<number, number>();
  readonly #bins: Set<number>[] = [];
  #freeBlocks = 0;
  /** Allocated blocks: start -> bytes. */
  readonly #blocks = new Map<number, number>();
  /** The arrays handed out, by start: only these are freed (never a subarray of one). */
  readonly #views = new Map<number, DataArray>();
  /** Released arrays by length (float32: n, int32: -n), still allocated blocks. */
  readonly #quick = new Map<number, DataArray[]>();
  #quickBytes = 0;

  constructor(memory: WasmMemory) {
    this.memory = memory;
    this.buffer = memory.buffer;
    this.f32 = new Float32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.u8 = new Uint8Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.capacity = this.buffer.byteLength - TOP_SLACK;
  }

  /** The start of a block of at least `bytes` (64-byte aligned), or -1 when none fits. */
  alloc(bytes: number): number {
    const need = blockBytes(bytes);
    if (!(need <= this.capacity)) return -1;
    let start = this.#freeBlocks > 0 ? this.#takeFree(need) : -1;
    if (start < 0 && this.#quickBytes > 0 && this.#top + need > this.#highWater) {
      // before touching new memory (or failing), give the quick lists' blocks back and retry
      this.flush();
      start = this.#freeBlocks > 0 ? this.#takeFree(need) : -1;
    }
    if (start < 0) {
      if (this.#top + need > this.capacity) return -1;
      start = this.#top;
      this.#top += need;
      if (this.#top > this.#highWater) this.#highWater = this.#top;
    }
    this.#blocks.set(start, need);
    this.#usedBytes += need;
    return start;
  }

  /** Free the block at `start` (from alloc); a start that is not allocated is an error. */
  free(start: number): void {
    const size = this.#blocks.get(start);
    if (size === undefined) throw new Error(`heap: no allocated block at byte ${start}`);
    this.#blocks.delete(start);
    this.#usedBytes -= size;
    let s = start;
    let n = size;
    const before = this.#freeAt.get(s);
    if (before !== undefined) {
      n += this.#freeSize.get(before)!;
      this.#unlink(before);
      s = before;
    }
    const afterSize = this.#freeSize.get(s + n);
    if (afterSize !== undefined) {
      this.#unlink(s + n);
      n += afterSize;
    }
    if (s + n === this.#top) this.#top = s;
    else this.#link(s, n);
  }

  #takeFree(need: number): number {
    const c = classOf(need >>> GRANULE_SHIFT);
    const bins = this.#bins;
    const own = bins[c];
    if (own !== undefined && own.size > 0)
      for (const s of own) if (this.#freeSize.get(s)! >= need) return this.#split(s, need);
    for (let k = c + 1; k < bins.length; k++) {
      const bin = bins[k];
      if (bin !== undefined && bin.size > 0) for (const s of bin) return this.#split(s, need);
    }
    return -1;
  }

  /** Take `need` bytes from the front of free block `s`; the rest stays free. */
  #split(s: number, need: number): number {
    const size = this.#freeSize.get(s)!;
    this.#unlink(s);
    if (size > need) this.#link(s + need, size - need);
    return s;
  }

  #link(s: number, n: number): void {
    this.#freeSize.set(s, n);
    this.#freeAt.set(s + n, s);
    const c = classOf(n >>> GRANULE_SHIFT);
    while (this.#bins.length <= c) this.#bins.push(new Set());
    this.#bins[c]!.add(s);
    this.#freeBlocks++;
  }

  #unlink(s: number): void {
    const n = this.#freeSize.get(s)!;
    this.#freeSize.delete(s);
    this.#freeAt.delete(s + n);
    this.#bins[classOf(n >>> GRANULE_SHIFT)]!.delete(s);
    this.#freeBlocks--;
  }

  #popQuick(key: number): DataArray | undefined {
    const a = this.#quick.get(key)?.pop();
    if (a !== undefined) {
      this.#quickBytes -= blockBytes(a.byteLength);
      this.#views.set(a.byteOffset, a);
    }
    return a;
  }

  /** A float32 array of length n in the heap (stale contents), or null when it is full. */
  takeF32(n: number): Float32Array | null {
    const q = this.#popQuick(n);
    if (q !== undefined) return q as Float32Array;
    const start = this.alloc(n * 4);
    if (start < 0) return null;
    const a = new Float32Array(this.buffer, start, n);
    this.#views.set(start, a);
    return a;
  }

  /** An int32 array of length n in the heap (stale contents), or null when it is full. */
  takeI32(n: number): Int32Array | null {
    const q = this.#popQuick(-n);
    if (q !== undefined) return q as Int32Array;
    const start = this.alloc(n * 4);
    if (start < 0) return null;
    const a = new Int32Array(this.buffer, start, n);
    this.#views.set(start, a);
    return a;
  }

  /**
   * Give back `a` if this heap handed it out (true), else false (a JavaScript array, a subarray
   * of a heap array, or one already released). The caller must not touch `a` afterwards.
   */
  release(a: DataArray): boolean {
    if (a.buffer !== this.buffer) return false;
    const start = a.byteOffset;
    if (this.#views.get(start) !== a) return false;
    this.#views.delete(start);
    const key = a instanceof Float32Array ? a.length : -a.length;
    const list = this.#quick.get(key);
    const bytes = blockBytes(a.byteLength);
    if (this.#quickBytes + bytes <= QUICK_LIMIT_BYTES && (list === undefined || list.length < QUICK_PER_LENGTH)) {
      if (list === undefined) this.#quick.set(key, [a]);
      else list.push(a);
      this.#quickBytes += bytes;
    } else this.free(start);
    return true;
  }

  /** Free every array waiting in the quick lists (the allocator coalesces them). */
  flush(): void {
    for (const list of this.#quick.values()) for (const a of list) this.free(a.byteOffset);
    this.#quick.clear();
    this.#quickBytes = 0;
  }

  /**
   * Whether `a` is an array this heap handed out (a whole block: the modules' vector loops may
   * write the padding past its last element).
   */
  owns(a: DataArray): boolean {
    return a.buffer === this.buffer && this.#views.get(a.byteOffset) === a;
  }

  /** Whether `a` lies inside this heap's memory (its address is a.byteOffset). */
  holds(a: DataArray): boolean {
    return a.buffer === this.buffer;
  }

  /** Bytes in allocated blocks (live arrays, the modules' scratch), not counting the quick lists. */
  get usedBytes(): number {
    return this.#usedBytes - this.#quickBytes;
  }

  /** Bytes of released arrays waiting in the quick lists. */
  get quickBytes(): number {
    return this.#quickBytes;
  }

  /** The highest the bump pointer has been: the memory ever touched by blocks (RSS's share). */
  get highWaterBytes(): number {
    return this.#highWater;
  }

  /** Free blocks below the bump pointer (fragmentation, for tests). */
  get freeBlockCount(): number {
    return this.#freeBlocks;
  }
}

/** A heap over a new memory of `bytes` (rounded up to pages), or null where it cannot be reserved. */
export function createHeap(bytes: number): Heap | null {
  const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (WA === undefined) return null;
  const pages = Math.ceil(bytes / PAGE);
  try {
    return new Heap(new WA.Memory({ initial: pages, maximum: pages }));
  } catch {
    return null;
  }
}

function reserveHeap(): Heap | null {
  const off = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.FLINT_CPU_HEAP;
  if (off === '0') return null;
  for (const bytes of HEAP_SIZES) {
    const h = createHeap(bytes);
    if (h !== null) return h;
  }
  return null;
}

/**
 * The process's heap, or null where WebAssembly is missing, the reservation failed, or
 * FLINT_CPU_HEAP=0 turned it off (then storage and the modules work as before: JavaScript arrays
 * copied into each module's own memory). It does not depend on SIMD: without it the modules do
 * not load and the heap's arrays are plain storage for the JavaScript loops.
 */
export const heap: Heap | null = reserveHeap();
