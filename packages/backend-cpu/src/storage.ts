/** The CPU backend's storage: a typed array plus its dtype, and the backend's live-memory counters. */
import type { BackendMemory, DataArray, DType } from '@flint/core/backend';

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

  /** Idempotent: only the first call releases the accounting. */
  dispose(): void {
    if (!this.alive) return;
    this.alive = false;
    liveHandles--;
    liveBytes -= this.data.byteLength;
  }
}

export function cpuMemory(): BackendMemory {
  return { handles: liveHandles, bytes: liveBytes };
}
