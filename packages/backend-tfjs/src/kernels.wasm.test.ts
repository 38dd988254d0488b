/** Per-kernel tests vs @flint/backend-cpu on tfjs's wasm engine (one engine per vitest worker). */
import { describeKernels } from './test-kernels.js';

describeKernels('wasm');
