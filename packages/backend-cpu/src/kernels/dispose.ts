import type { CpuStorage } from '../storage.js';

/** Idempotent. */
export function dispose(storage: CpuStorage): void {
  storage.dispose();
}
