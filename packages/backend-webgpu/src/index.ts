/**
 * @flint/backend-webgpu: Flint's kernels as WGSL compute shaders, data resident in GPUBuffers.
 * Importing this module creates the default instance and registers it as device 'webgpu'; the
 * device itself opens on init() (no top-level await).
 */
import { registerBackend } from '@flint/core/backend';
import { createWebGpuBackend, type WebGpuBackend } from './backend.js';

export { createWebGpuBackend, engineName, type WebGpuBackend, type WebGpuBackendOptions } from './backend.js';
export type { AdapterDescription, DawnBackend } from './adapter.js';
export type { DeviceStats } from './device.js';
export type { WebGpuStorage } from './storage.js';

/** The default instance, registered on import. */
export const webgpuBackend: WebGpuBackend = createWebGpuBackend();
registerBackend(webgpuBackend);
export default webgpuBackend;
