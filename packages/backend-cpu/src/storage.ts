/** The CPU backend's storage: a typed array plus its dtype, and the backend's live-memory counters. */
import type { BackendMemory, DataArray, DType } from '@flint/core/backend';
import { release } from './impl/buffers.js';

let liveHandles = 0;
let liveBytes = 0;

/**
 * The contents version of every array a live CpuStorage wraps, for caches of copies (the wasm
 * GEMM keeps operands resident in its memory). Versions are unique and only grow: a new storage
 * over an array, and every in-place write through `written()`, give it a fresh one; disposal
 * forgets the array (the pool hands it to the next kernel, which writes it). An array that is
 * not here (a kernel's scratch, an output being built, a freed one, a short one) must never be
 * served from a cache.
 */
const versions = new WeakMap<DataArray, number>();
let nextVersion = 1;

/**
 * Only arrays this long get versions: a WeakMap update costs ~0.2 µs per storage, ~3% of a
 * step of small tensors (784-16-16-10 MLP), and copying a short array costs less than caching it.
 */
export const VERSIONED_MIN_LENGTH = 4096;

/** The contents version of `a` if a live storage wraps it, else undefined (do not cache). */
export function arrayVersion(a: DataArray): number | undefined {
  return versions.get(a);
}

export class CpuStorage {
  /** False once disposed; a disposed storage must not be used again. */
  private alive = true;

  constructor(
    readonly data: DataArray,
    readonly dtype: DType,
  ) {
    liveHandles++;
    liveBytes += data.byteLength;
    if (data.length >= VERSIONED_MIN_LENGTH) versions.set(data, nextVersion++);
  }

  /**
   * Record an in-place write of `data`. Every kernel that writes an existing storage (the
   * optimizer steps) calls it, so no cached copy of the old contents is used again.
   */
  written(): void {
    if (this.alive && this.data.length >= VERSIONED_MIN_LENGTH) versions.set(this.data, nextVersion++);
  }

  get isDisposed(): boolean {
    return !this.alive;
  }

  /**
   * Idempotent: only the first call releases the accounting and hands the array back for reuse
   * (src/impl/buffers.ts: to the storage heap, else the buffer pool). Nothing reads it afterwards:
   * core never touches a disposed handle and reads return copies.
   */
  dispose(): void {
    if (!this.alive) return;
    this.alive = false;
    liveHandles--;
    liveBytes -= this.data.byteLength;
    if (this.data.length >= VERSIONED_MIN_LENGTH) versions.delete(this.data);
    release(this.data);
  }
}

export function cpuMemory(): BackendMemory {
  return { handles: liveHandles, bytes: liveBytes };
}
