/**
 * @flint/backend-gpujs: Flint's kernels on gpu.js, data resident on the device as textures.
 * Importing this module creates the default instance and registers it as device 'gpujs'.
 */
import { registerBackend } from '@flint/core/backend';
import { createGpujsBackend, type GpujsBackend } from './backend.js';

export { createGpujsBackend, type GpujsBackend } from './backend.js';
export type { GpujsBackendOptions } from './context.js';
export type { GpujsEngine, GpujsMode } from './engine.js';
export type { GpuStorage } from './storage.js';

/** The default instance (mode from FLINT_GPUJS_MODE, else auto), registered on import. */
export const gpujsBackend: GpujsBackend = createGpujsBackend();
registerBackend(gpujsBackend);
export default gpujsBackend;
