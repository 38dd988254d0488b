/**
 * @flint/backend-tfjs: Flint's kernels on TensorFlow.js. Importing it registers the 'tfjs' device
 * (side effect); core awaits `init()` before first use, which picks the tfjs engine.
 */
import { registerBackend } from '@flint/core/backend';
import { createTfjsBackend } from './backend.js';

export { createTfjsBackend } from './backend.js';
export type { TfjsBackend, TfjsBackendOptions, TfjsStorage } from './backend.js';
export type { EngineInfo, TfjsEngine } from './engine.js';
export { kernels } from './kernels/index.js';

/** The default instance: engine from FLINT_TFJS_ENGINE, else the best that loads. */
export const tfjsBackend = createTfjsBackend();

registerBackend(tfjsBackend);
