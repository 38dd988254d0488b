/** dispose: the buffer goes back to the pool (after the batch that uses it is submitted). */
import type { WebGpuContext } from '../context.js';
import type { WebGpuStorage } from '../storage.js';

export const dispose = (ctx: WebGpuContext) => (storage: WebGpuStorage) => ctx.device.free(storage);
