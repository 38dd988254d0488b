/** Every PyTorch module fixture file (conformance's fixtures/modules*.json) on tfjs's wasm engine (this file's worker runs only wasm). */
import { MODULE_FIXTURE_FILES, runModuleFixtures } from '@flint/conformance';
import { createTfjsBackend } from './index.js';

const backend = createTfjsBackend({ engine: 'wasm' });
for (const file of MODULE_FIXTURE_FILES) runModuleFixtures(file, { backend: () => backend });
