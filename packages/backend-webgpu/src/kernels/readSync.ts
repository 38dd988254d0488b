/** readSync: WebGPU can only map buffers asynchronously, so this always refuses, saying what to do instead. */
import type { Ref, WebGpuContext } from '../context.js';

export const readSync = (_ctx: WebGpuContext) => (x: Ref) => {
  throw new Error(
    `@flint/backend-webgpu: synchronous reads are not possible on WebGPU (buffers map asynchronously): ` +
      `use \`await t.data()\` instead of dataSync()/item()/tolist() for this ${x.dtype} tensor of shape [${x.shape.join(', ')}].`,
  );
};
