/** Backend registry: which backends are installed, which one is the default device. */
import type { Backend } from './kernels.js';

const backends = new Map<string, Backend<unknown>>();
let defaultName: string | null = null;
let explicitDefault = false;

/** Known backend packages, so that asking for a missing one names what to install. */
export const KNOWN_BACKEND_PACKAGES: Readonly<Record<string, string>> = {
  cpu: '@flint/backend-cpu',
  gpujs: '@flint/backend-gpujs',
  tfjs: '@flint/backend-tfjs',
  webgpu: '@flint/backend-webgpu',
};

/**
 * Register a backend (backend packages call this when imported). The highest `priority()` becomes
 * the default unless the user chose one explicitly (setBackend or FLINT_BACKEND).
 */
export function registerBackend<S>(backend: Backend<S>): void {
  backends.set(backend.name, backend as Backend<unknown>);
  const forced = envBackend();
  if (explicitDefault) return;
  if (forced !== undefined) {
    if (forced === backend.name) defaultName = backend.name;
    return;
  }
  const current = defaultName === null ? undefined : backends.get(defaultName);
  if (current === undefined || backend.priority() > current.priority()) defaultName = backend.name;
}

/**
 * Initialise every registered backend (loading wasm, creating GL contexts) and re-rank: a backend
 * only knows its real engine, and so its priority, after init.
 */
export async function initBackends(): Promise<{ name: string; error: string }[]> {
  const failed: { name: string; error: string }[] = [];
  for (const backend of [...backends.values()]) {
    try {
      await backend.init?.();
    } catch (error) {
      // A backend whose engine cannot start is not usable: drop it, report why.
      failed.push({ name: backend.name, error: error instanceof Error ? error.message : String(error) });
      backends.delete(backend.name);
      if (defaultName === backend.name) defaultName = null;
    }
  }
  if (explicitDefault && defaultName !== null) return failed;
  const forced = envBackend();
  if (forced !== undefined) {
    if (backends.has(forced)) defaultName = forced;
    return failed;
  }
  let best: Backend<unknown> | undefined;
  for (const b of backends.values()) if (best === undefined || b.priority() > best.priority()) best = b;
  defaultName = best?.name ?? null;
  return failed;
}

export function removeBackend(name: string): void {
  backends.delete(name);
  if (defaultName === name) {
    defaultName = null;
    explicitDefault = false;
    let best: Backend<unknown> | undefined;
    for (const b of backends.values()) if (best === undefined || b.priority() > best.priority()) best = b;
    defaultName = best?.name ?? null;
  }
}

function envBackend(): string | undefined {
  const value = typeof process !== 'undefined' ? process.env.FLINT_BACKEND : undefined;
  return value === undefined || value === '' ? undefined : value;
}

function missingBackendError(name: string): Error {
  const pkg = KNOWN_BACKEND_PACKAGES[name];
  const installed = [...backends.keys()];
  const list = installed.length === 0 ? 'none' : installed.join(', ');
  const hint =
    pkg !== undefined
      ? `install it with \`pnpm add ${pkg}\` (or npm i ${pkg}) and import it`
      : `known backends are ${Object.keys(KNOWN_BACKEND_PACKAGES).join(', ')}`;
  return new Error(`Backend '${name}' is not available: ${hint}. Installed backends: ${list}.`);
}

export function getBackend(name?: string): Backend<unknown> {
  if (name === undefined) {
    const forced = envBackend();
    if (!explicitDefault && forced !== undefined && !backends.has(forced)) throw missingBackendError(forced);
    if (defaultName === null) {
      throw new Error(
        'No Flint backend is installed: install one, e.g. `pnpm add @flint/backend-cpu`, and import it (import "@flint/backend-cpu").',
      );
    }
    return backends.get(defaultName)!;
  }
  const backend = backends.get(name);
  if (backend === undefined) throw missingBackendError(name);
  return backend;
}

/** Make `name` the default device for new tensors. */
export function setBackend(name: string): void {
  getBackend(name);
  defaultName = name;
  explicitDefault = true;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}

export function hasBackend(name: string): boolean {
  return backends.has(name);
}
