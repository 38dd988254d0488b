// PyTorch module fixtures of the Transformer family, RNN cells and packed sequences on the default
// WebGPU instance (Mesa's llvmpipe without a GPU). Every read in them is asynchronous.
import { runTransformerModuleFixtures } from '@flint/conformance';
import { webgpuBackend } from './index.js';

runTransformerModuleFixtures({ backend: () => webgpuBackend });
