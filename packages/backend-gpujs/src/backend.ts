/** createGpujsBackend: the Backend object over one gpu.js context. */
import type { Backend, Kernels } from '@flint/core/backend';
import { GpuContext, type GpujsBackendOptions } from './context.js';
import type { GpujsEngine } from './engine.js';
import * as factories from './kernels/index.js';
import type { GpuStorage } from './storage.js';

export interface GpujsBackend extends Backend<GpuStorage> {
  /** The engine gpu.js really built kernels for. */
  engine(): GpujsEngine;
  /** The GL renderer string, where the engine is GL and the driver tells. */
  renderer(): string | null;
  /** Compiled-kernel cache and transfer counters (for tests and profiling). */
  stats(): { compilations: number; cachedKernels: number; cacheHits: number; evictions: number; readbacks: number };
  readonly context: GpuContext;
  /** Free every compiled kernel and the GL context. The backend is unusable afterwards. */
  destroy(): void;
}

/** One factory per kernel of the contract: given the device context, the kernel. */
type KernelFactories = {
  readonly [K in keyof Kernels<GpuStorage>]: (ctx: GpuContext) => Kernels<GpuStorage>[K];
};

/** The kernel files' exports are the kernel list; a required kernel missing there fails to compile here. */
const kernelFactories = factories satisfies KernelFactories;

/** The kernel table over one context, built from the list in kernels/index.ts. */
export function createKernels(ctx: GpuContext): Kernels<GpuStorage> {
  const table: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(kernelFactories)) table[name] = make(ctx);
  // Every entry came from a factory checked against its kernel's type above.
  return table as unknown as Kernels<GpuStorage>;
}

/**
 * A gpu.js backend. Options (or FLINT_GPUJS_MODE) force a mode; by default it runs on headless-gl
 * when a GL context can be made, else on gpu.js's webasm mode (with one console warning).
 */
export function createGpujsBackend(options: GpujsBackendOptions = {}): GpujsBackend {
  const ctx = new GpuContext(options);
  const kernels = createKernels(ctx);
  return {
    name: 'gpujs',
    packageName: '@flint/backend-gpujs',
    kernels,
    context: ctx,
    // The gpu.js context is created with the backend (synchronously), so it is ready on import.
    async init() {},
    initSync: () => true,
    engine: () => ctx.engine,
    renderer: () => ctx.renderer,
    priority: () => (ctx.onDevice ? 80 : 10),
    memory: () => ctx.memory(),
    stats: () => ({
      compilations: ctx.cache.compilations,
      cachedKernels: ctx.cache.size,
      cacheHits: ctx.cache.hits,
      evictions: ctx.cache.evictions,
      readbacks: ctx.readbacks,
    }),
    destroy: () => ctx.destroy(),
  };
}
