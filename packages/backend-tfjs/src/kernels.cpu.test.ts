/** Per-kernel tests vs @flint/backend-cpu on tfjs's cpu engine (one engine per vitest worker). */
import { describeKernels } from './test-kernels.js';

describeKernels('cpu');
