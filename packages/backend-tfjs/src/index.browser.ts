/**
 * @flint/backend-tfjs, the entry bundlers use for browsers (package.json's "default" condition):
 * Flint's kernels on TensorFlow.js. Importing it registers the 'tfjs' device (side effect); core's
 * main entry then starts its init, which picks the tfjs engine (`await ready()` waits for it).
 * Nothing here imports a Node module. Node loads index.ts, which adds the Node half (node.ts).
 */
import { registerBackend } from '@flint/core/backend';
import { createTfjsBackend } from './backend.js';

export { createTfjsBackend } from './backend.js';
export type { TfjsBackend, TfjsBackendOptions, TfjsStorage } from './backend.js';
export { setTfjsEngine, setWasmPaths, type EngineInfo, type TfjsEngine } from './engine.js';
export { WASM_FILES, type WasmFile, type WasmPaths } from './wasm-files.js';
export { kernels } from './kernels/index.js';

/** The default instance: engine from FLINT_TFJS_ENGINE, else the best that loads. */
export const tfjsBackend = createTfjsBackend();

registerBackend(tfjsBackend);
