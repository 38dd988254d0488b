// Every PyTorch module fixture file (conformance's fixtures/modules*.json) with gpu.js forced into
// its webasm mode (no GL at all).
import { MODULE_FIXTURE_FILES, runModuleFixtures } from '@flint/conformance';
import { createGpujsBackend } from './backend.js';

const backend = createGpujsBackend({ mode: 'webasm' });
for (const file of MODULE_FIXTURE_FILES) runModuleFixtures(file, { backend: () => backend });
