// Every PyTorch module fixture file (conformance's fixtures/modules*.json) on the default gpu.js
// instance (headless-gl under this package's xvfb-run test script).
import { MODULE_FIXTURE_FILES, runModuleFixtures } from '@flint/conformance';
import { gpujsBackend } from './index.js';

for (const file of MODULE_FIXTURE_FILES) runModuleFixtures(file, { backend: () => gpujsBackend });
