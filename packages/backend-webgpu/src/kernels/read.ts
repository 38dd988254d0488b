/** read: copy to a mappable buffer, submit what is queued, map (the one asynchronous readback). */
import type { Ref, WebGpuContext } from '../context.js';

export const read = (ctx: WebGpuContext) => (x: Ref) => ctx.device.read(x.storage);
