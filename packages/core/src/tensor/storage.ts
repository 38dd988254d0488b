/**
 * Ref-counted backend storage. Views (reshape/view/flatten...) share one Storage; in-place ops
 * swap its handle so every view sees the new data. The last release frees the backend handle.
 */
import type { Backend } from '../backend/kernels.js';

export interface StorageStats {
  handles: number;
  bytes: number;
}

const statsByBackend = new Map<string, StorageStats>();

function statsFor(name: string): StorageStats {
  let stats = statsByBackend.get(name);
  if (stats === undefined) {
    stats = { handles: 0, bytes: 0 };
    statsByBackend.set(name, stats);
  }
  return stats;
}

export class Storage {
  private refs = 1;
  /** Bumped by every in-place write; autograd uses it to detect modified saved tensors. */
  version = 0;

  constructor(
    readonly backend: Backend<unknown>,
    private currentHandle: unknown,
    readonly bytes: number,
  ) {
    const stats = statsFor(backend.name);
    stats.handles += 1;
    stats.bytes += bytes;
  }

  get handle(): unknown {
    if (this.refs <= 0) throw new Error('Tensor storage was used after it was disposed.');
    return this.currentHandle;
  }

  get alive(): boolean {
    return this.refs > 0;
  }

  get refCount(): number {
    return this.refs;
  }

  retain(): void {
    if (this.refs <= 0) throw new Error('Tensor storage was used after it was disposed.');
    this.refs += 1;
  }

  release(): void {
    if (this.refs <= 0) return;
    this.refs -= 1;
    if (this.refs === 0) {
      this.backend.kernels.dispose(this.currentHandle);
      const stats = statsFor(this.backend.name);
      stats.handles -= 1;
      stats.bytes -= this.bytes;
    }
  }

  /** Hand the backend handle over to a new owner without freeing it (this storage dies). */
  takeHandle(): unknown {
    if (this.refs !== 1) throw new Error('internal: takeHandle on shared storage');
    this.refs = 0;
    const stats = statsFor(this.backend.name);
    stats.handles -= 1;
    stats.bytes -= this.bytes;
    return this.currentHandle;
  }

  /** In-place write: take over `handle` (same size) and free the old one. */
  replaceHandle(handle: unknown): void {
    if (this.refs <= 0) throw new Error('Tensor storage was used after it was disposed.');
    this.backend.kernels.dispose(this.currentHandle);
    this.currentHandle = handle;
    this.version += 1;
  }
}

export interface MemoryInfo {
  /** Live storages and their bytes, all backends together. */
  handles: number;
  bytes: number;
  /** Per backend: what core holds, and what the backend itself reports. */
  backends: Record<string, { handles: number; bytes: number; backendHandles: number; backendBytes: number }>;
}

export function storageStats(): ReadonlyMap<string, StorageStats> {
  return statsByBackend;
}
