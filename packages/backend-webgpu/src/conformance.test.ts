// The shared conformance suite on the default instance. Without a GPU it runs on Mesa's llvmpipe
// through Dawn's OpenGL backend (compatibility mode), which flushes float32 subnormals in shaders.
import { runConformance } from '@flint/conformance';
import { webgpuBackend } from './index.js';

runConformance({
  backend: () => webgpuBackend,
  ops: true,
  storage: { flushSubnormals: true },
});
