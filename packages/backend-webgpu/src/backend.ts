/** createWebGpuBackend: the Backend object over one WebGPU device (opened lazily by init()). */
import type { Backend, Kernels } from '@flint/core/backend';
import type { AdapterDescription } from './adapter.js';
import { WebGpuContext } from './context.js';
import type { DeviceOptions, DeviceStats } from './device.js';
import * as factories from './kernels/index.js';
import type { WebGpuStorage } from './storage.js';

export type WebGpuBackendOptions = DeviceOptions;

export interface WebGpuBackend extends Backend<WebGpuStorage> {
  /** Opens the adapter and device (once; later calls wait for the first). */
  init(): Promise<void>;
  /** The adapter it runs on, once init() resolved (null before). */
  adapter(): AdapterDescription | null;
  /** Pipeline cache, batching and pool counters (tests and profiling). */
  stats(): DeviceStats;
  /** Submit queued work and wait for the GPU to finish it (benchmarks). */
  finish(): Promise<void>;
  readonly context: WebGpuContext;
  /** Free every buffer and the device. The backend is unusable afterwards. */
  destroy(): void;
}

type KernelFactories = {
  readonly [K in keyof Kernels<WebGpuStorage>]: (ctx: WebGpuContext) => Kernels<WebGpuStorage>[K];
};

/** The kernel files' exports are the kernel list; a required kernel missing there fails to compile here. */
const kernelFactories = factories satisfies KernelFactories;

export function createKernels(ctx: WebGpuContext): Kernels<WebGpuStorage> {
  const table: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(kernelFactories)) table[name] = make(ctx);
  return table as unknown as Kernels<WebGpuStorage>;
}

/** Priority when the adapter is real hardware (above cpu's 50) and when it is a CPU implementation. */
export const HARDWARE_PRIORITY = 80;
export const SOFTWARE_PRIORITY = 10;

/** The engine string: the API and the adapter as it describes itself. */
export function engineName(a: AdapterDescription): string {
  const name = [a.vendor, a.architecture, a.device].filter((s) => s !== '').join(' ') || 'unknown adapter';
  const kind = a.software ? 'software' : 'hardware';
  return `webgpu (${a.via}, ${a.featureLevel}: ${name}${a.description !== '' ? `, ${a.description}` : ''}; ${kind})`;
}

/**
 * A WebGPU backend. Nothing touches the GPU until init(), which runs on demand (initOnDemand):
 * `await ready()`, FLINT_BACKEND=webgpu, the first kernel call, or
 * `await backend.init()` yourself. Importing it (core's autoload does) requests no adapter, so a
 * program that never uses it prints nothing from the GPU driver.
 */
export function createWebGpuBackend(options: WebGpuBackendOptions = {}): WebGpuBackend {
  const ctx = new WebGpuContext(options);
  const kernels = createKernels(ctx);
  return {
    name: 'webgpu',
    packageName: '@flint/backend-webgpu',
    kernels,
    context: ctx,
    initOnDemand: true,
    async init() {
      await ctx.init();
    },
    engine: () => {
      const d = ctx.maybeDevice;
      return d === null ? 'webgpu (not initialised)' : engineName(d.description);
    },
    adapter: () => ctx.maybeDevice?.description ?? null,
    // Before init the adapter is unknown: rank lowest so that registering never makes it the default.
    priority: () => {
      const d = ctx.maybeDevice;
      if (d === null) return 0;
      return d.description.software ? SOFTWARE_PRIORITY : HARDWARE_PRIORITY;
    },
    memory: () => ctx.maybeDevice?.memory() ?? { handles: 0, bytes: 0 },
    stats: () => ctx.device.stats(),
    finish: () => ctx.device.finish(),
    destroy: () => ctx.maybeDevice?.destroy(),
  };
}
