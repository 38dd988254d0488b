/**
 * A size-keyed pool of freed typed arrays. Disposal is deterministic (tidy, dispose), so a training
 * step frees the same sizes it allocates next step; handing those arrays back out skips the zeroing,
 * page faults and garbage collection of a fresh `new Float32Array(n)` (~75 µs for 1.6 MB, and the
 * churn's mark-compacts).
 *
 * `take*` returns an array with stale contents, for kernels that overwrite every element;
 * `zeroed*` clears a reused one. `release` is called by CpuStorage.dispose once nothing can read the
 * array any more (reads return copies). The pool keeps at most `POOL_LIMIT_BYTES` and only arrays
 * that own their whole buffer, so memory stays bounded and flat from step to step.
 *
 * Float32 and int32 arrays of at least HEAP_MIN_ELEMENTS come from the WebAssembly heap
 * (src/impl/heap.ts) where there is one, so the SIMD modules read and write them in place; its
 * allocator reuses freed blocks itself. Where it is missing or full, arrays come from the pool
 * or `new` as before.
 */
import type { DataArray, DType } from '@flint/core/backend';
import { heap } from './heap.js';

/** Arrays shorter than this are cheap to allocate; pooling them costs more than it saves. */
const MIN_POOLED_BYTES = 256;
/**
 * Arrays kept per length: enough for the same-size temporaries of one step, and a bound for
 * lengths that are freed but never taken again (an array some kernel allocated itself), which
 * would otherwise pile up step after step until POOL_LIMIT_BYTES.
 */
const MAX_PER_LENGTH = 32;
const POOL_LIMIT_BYTES = 256 * 2 ** 20;

const f32Pool = new Map<number, Float32Array[]>();
const i32Pool = new Map<number, Int32Array[]>();
const u8Pool = new Map<number, Uint8Array[]>();
let pooledBytes = 0;

function pop<T extends DataArray>(pool: Map<number, T[]>, n: number): T | undefined {
  const list = pool.get(n);
  const a = list?.pop();
  if (a !== undefined) pooledBytes -= a.byteLength;
  return a;
}

/**
 * Arrays this long go to the heap. A heap array costs a little more bookkeeping than a pooled
 * one, and copying a short array into a module costs less than that: with 256 (the SIMD loops'
 * minimum) batch-1 inference of the MLP ran 1-2% slower than before the heap, with 1024 as fast,
 * training steps alike (interleaved in one process).
 */
export const HEAP_MIN_ELEMENTS = 1024;
let heapOn = heap !== null;

/**
 * Switch allocation from the WebAssembly heap on or off (benchmarks compare the two; arrays
 * already taken stay where they are); returns the previous setting. On where there is no heap is
 * an error.
 */
export function setHeapStorage(on: boolean): boolean {
  if (on && heap === null) throw new Error('the WebAssembly storage heap is not available in this engine');
  const prev = heapOn;
  heapOn = on;
  return prev;
}

/** A float32 array of length n, contents unspecified (the caller writes every element). */
export function takeF32(n: number): Float32Array {
  if (heapOn && n >= HEAP_MIN_ELEMENTS) {
    const a = heap!.takeF32(n);
    if (a !== null) return a;
  }
  return pop(f32Pool, n) ?? new Float32Array(n);
}

function takeI32(n: number): Int32Array {
  if (heapOn && n >= HEAP_MIN_ELEMENTS) {
    const a = heap!.takeI32(n);
    if (a !== null) return a;
  }
  return pop(i32Pool, n) ?? new Int32Array(n);
}

/** An array of `dtype` and length n, contents unspecified. */
export function take(dtype: DType, n: number): DataArray {
  switch (dtype) {
    case 'float32':
      return takeF32(n);
    case 'int32':
      return takeI32(n);
    case 'bool':
      return pop(u8Pool, n) ?? new Uint8Array(n);
  }
}

/** A zeroed array of `dtype` and length n (only a reused one is cleared: a new one is zero). */
export function zeroed(dtype: DType, n: number): DataArray {
  if (heapOn && n >= HEAP_MIN_ELEMENTS && dtype !== 'bool') {
    const a = dtype === 'float32' ? heap!.takeF32(n) : heap!.takeI32(n);
    if (a !== null) return a.fill(0);
  }
  const pool: Map<number, DataArray[]> = dtype === 'float32' ? f32Pool : dtype === 'int32' ? i32Pool : u8Pool;
  const a = pop(pool, n);
  if (a !== undefined) return a.fill(0);
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
}

let releaseHook: ((a: DataArray) => void) | null = null;

/** Call `hook` with every array released from now on (conv's column cache forgets its inputs). */
export function onRelease(hook: (a: DataArray) => void): void {
  releaseHook = hook;
}

/** Hand `a` back for reuse; the caller must not touch it afterwards. */
export function release(a: DataArray): void {
  if (releaseHook !== null) releaseHook(a);
  const bytes = a.byteLength;
  if (bytes < MIN_POOLED_BYTES) return;
  // a heap array goes back to the heap (which ignores one it did not hand out, a subarray)
  if (heap?.holds(a)) {
    heap.release(a);
    return;
  }
  if (a.byteOffset !== 0 || a.buffer.byteLength !== bytes) return;
  if (pooledBytes + bytes > POOL_LIMIT_BYTES) return;
  const pool: Map<number, DataArray[]> =
    a instanceof Float32Array ? f32Pool : a instanceof Int32Array ? i32Pool : u8Pool;
  const list = pool.get(a.length);
  if (list === undefined) pool.set(a.length, [a]);
  else if (list.length < MAX_PER_LENGTH) list.push(a);
  else return;
  pooledBytes += bytes;
}

/** Bytes held by the pool (freed arrays waiting for reuse; not live memory). */
export function pooledBufferBytes(): number {
  return pooledBytes;
}

/** Drop every pooled array (tests; a host that wants the memory back), the heap's quick lists too. */
export function clearBufferPool(): void {
  heap?.flush();
  f32Pool.clear();
  i32Pool.clear();
  u8Pool.clear();
  pooledBytes = 0;
}
