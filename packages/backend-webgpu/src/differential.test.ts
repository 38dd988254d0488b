// Every kernel against @flint/backend-cpu's values (@flint/conformance's differential suite) on the
// default instance. WebGPU reads only asynchronously, so outputs are read with `read` alone.
import { cpuBackend } from '@flint/backend-cpu';
import { runDifferential } from '@flint/conformance';
import { webgpuBackend } from './index.js';

runDifferential({
  backend: () => webgpuBackend,
  reference: () => cpuBackend,
  storage: { flushSubnormals: true },
  syncReads: false,
});
