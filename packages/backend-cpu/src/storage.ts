/** The CPU backend's storage: a typed array plus its dtype, and the backend's live-memory counters. */
import type { BackendMemory, DataArray, DType } from '@flint/core/backend';
import { release } from './impl/buffers.js';

let liveHandles = 0;
let liveBytes = 0;

export class CpuStorage {
  /** False once disposed; a disposed storage must not be used again. */
  private alive = true;

  constructor(
    readonly data: DataArray,
    readonly dtype: DType,
  ) {
    liveHandles++;
    liveBytes += data.byteLength;
  }

  get isDisposed(): boolean {
    return !this.alive;
  }

  /**
   * Idempotent: only the first call releases the accounting and hands the array to the buffer pool
   * (src/impl/buffers.ts). Nothing reads it afterwards: core never touches a disposed handle and
   * reads return copies.
   */
  dispose(): void {
    if (!this.alive) return;
    this.alive = false;
    liveHandles--;
    liveBytes -= this.data.byteLength;
    release(this.data);
  }
}

export function cpuMemory(): BackendMemory {
  return { handles: liveHandles, bytes: liveBytes };
}
