// PyTorch module fixtures of the Transformer family, RNN cells and packed sequences on the default
// gpu.js instance (headless-gl under this package's xvfb-run test script).
import { runTransformerModuleFixtures } from '@flint/conformance';
import { gpujsBackend } from './index.js';

runTransformerModuleFixtures({ backend: () => gpujsBackend });
