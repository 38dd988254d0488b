/** copy: a buffer-to-buffer copy recorded in the current batch (bit-exact for every dtype). */
import type { Ref, WebGpuContext } from '../context.js';

export const copy = (ctx: WebGpuContext) => (x: Ref) => {
  const dev = ctx.device;
  const out = dev.alloc(x.storage.size, x.dtype);
  dev.copy(x.storage, 0, out, 0, x.storage.size);
  return out;
};
