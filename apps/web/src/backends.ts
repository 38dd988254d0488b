/**
 * The backends the page offers, each loaded on first use with a dynamic import (the package
 * registers itself, core starts its init, or webgpu's on demand, and `ready()` waits for it). A
 * backend that cannot start here (no WebGPU adapter, no WebGL2) is reported with the reason and
 * left out.
 */
import { getBackend, hasBackend, ready } from '@flint/core';

export const BACKENDS = ['cpu', 'tfjs', 'gpujs', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendStatus {
  name: BackendName;
  ok: boolean;
  /** The engine it really runs on (ok), or why it is not available. */
  detail: string;
}

const loaders: Record<BackendName, () => Promise<unknown>> = {
  cpu: () => import('@flint/backend-cpu'),
  tfjs: () => import('./tfjs-setup.js'),
  gpujs: () => import('@flint/backend-gpujs'),
  webgpu: () => import('@flint/backend-webgpu'),
};

const loading = new Map<BackendName, Promise<BackendStatus>>();

export function loadBackend(name: BackendName): Promise<BackendStatus> {
  let p = loading.get(name);
  if (p === undefined) {
    p = (async (): Promise<BackendStatus> => {
      try {
        await loaders[name]();
        const report = await ready();
        if (!hasBackend(name)) {
          const failure = report.failed.find((f) => f.package.endsWith(`backend-${name}`));
          return { name, ok: false, detail: failure?.error ?? 'did not register' };
        }
        return { name, ok: true, detail: getBackend(name).engine() };
      } catch (error) {
        return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    })();
    loading.set(name, p);
  }
  return p;
}
