/** PyTorch module fixtures of the Transformer family, RNN cells and packed sequences, on tfjs's cpu engine. */
import { runTransformerModuleFixtures } from '@flint/conformance';
import { createTfjsBackend } from './index.js';

runTransformerModuleFixtures({ backend: () => createTfjsBackend({ engine: 'cpu' }) });
