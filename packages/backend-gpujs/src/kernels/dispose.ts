/** dispose: texture.delete() (GL) and the storage leaves memory()'s count. Idempotent. */
import type { GpuContext } from '../context.js';
import type { GpuStorage } from '../storage.js';

export const dispose = (ctx: GpuContext) => (storage: GpuStorage) => ctx.dispose(storage);
