// Every PyTorch module fixture file (conformance's fixtures/modules*.json) on the default WebGPU
// instance (Mesa's llvmpipe without a GPU). The runner reads only with `await t.data()`.
import { MODULE_FIXTURE_FILES, runModuleFixtures } from '@flint/conformance';
import { webgpuBackend } from './index.js';

for (const file of MODULE_FIXTURE_FILES) runModuleFixtures(file, { backend: () => webgpuBackend });
