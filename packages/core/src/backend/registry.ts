/** Backend registry: which backends are installed, which one is the default device. */
import type { Backend } from './kernels.js';

const backends = new Map<string, Backend<unknown>>();
let defaultName: string | null = null;
let explicitDefault = false;
/**
 * Set once the default device has been handed out (a tensor was made on it): from then on a
 * backend that finishes initialising later does not take over, so tensors made before and after
 * stay on one device.
 */
let defaultLocked = false;

/** An init the registry started: pending until its promise settles. */
interface InitState {
  readonly backend: Backend<unknown>;
  readonly promise: Promise<void>;
  settled: boolean;
}
const inits = new Map<string, InitState>();
/** Every init failure seen (the backend was dropped), oldest first. */
const failures: { name: string; packageName: string; error: string }[] = [];
/** On once core's main entry has loaded: every registered backend starts initialising at once. */
let autoInit = false;

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
  const b = backend as Backend<unknown>;
  backends.set(b.name, b);
  if (inits.get(b.name)?.backend !== b) inits.delete(b.name);
  const forced = envBackend();
  if (autoInit && (b.initOnDemand !== true || forced === b.name)) startInit(b);
  if (explicitDefault || (defaultLocked && defaultName !== null && backends.has(defaultName))) return;
  if (forced !== undefined) {
    if (forced === b.name) defaultName = b.name;
    return;
  }
  const current = defaultName === null ? undefined : backends.get(defaultName);
  if (current === undefined || b.priority() > current.priority()) defaultName = b.name;
}

/**
 * Start initialising a backend now (once): `initSync()` when it can finish synchronously, else
 * `init()` in the background. Returns the pending state, or undefined when the backend is ready.
 */
function startInit(backend: Backend<unknown>): InitState | undefined {
  const existing = inits.get(backend.name);
  if (existing !== undefined && existing.backend === backend) return existing.settled ? undefined : existing;
  if (backend.init === undefined) return undefined;
  let done = false;
  try {
    done = backend.initSync?.() === true;
  } catch (error) {
    dropFailed(backend, error);
    return undefined;
  }
  const promise = done ? Promise.resolve() : Promise.resolve().then(() => backend.init!());
  const state: InitState = {
    backend,
    settled: done,
    promise: promise.then(
      () => {
        state.settled = true;
        if (!defaultLocked) rank();
      },
      (error: unknown) => {
        state.settled = true;
        dropFailed(backend, error);
        if (!defaultLocked) rank();
      },
    ),
  };
  inits.set(backend.name, state);
  return done ? undefined : state;
}

/** A backend whose engine cannot start is not usable: drop it, remember why. */
function dropFailed(backend: Backend<unknown>, error: unknown): void {
  failures.push({
    name: backend.name,
    packageName: backend.packageName,
    error: error instanceof Error ? error.message : String(error),
  });
  if (backends.get(backend.name) !== backend) return;
  backends.delete(backend.name);
  if (defaultName === backend.name) {
    defaultName = null;
    explicitDefault = false;
    defaultLocked = false;
    rank();
  }
}

/**
 * Core's main entry turns this on (unless FLINT_NO_AUTOLOAD=1): every backend registered so far,
 * and every one registered later, starts initialising at once, so a backend imported into a
 * browser bundle is ready without further calls once `ready()` resolves. Backends marked
 * `initOnDemand` wait for `ready()`, FLINT_BACKEND or their first use instead.
 */
export function enableAutoInit(): void {
  autoInit = true;
  const forced = envBackend();
  for (const b of [...backends.values()]) if (b.initOnDemand !== true || forced === b.name) startInit(b);
}

/** Whether the registry is still initialising `name` (started by auto-init or initBackends). */
export function isInitialising(name: string): boolean {
  const state = inits.get(name);
  return state !== undefined && !state.settled && backends.get(name) === state.backend;
}

/** Every backend init that failed so far (the backend was dropped), oldest first. */
export function initFailures(): readonly { name: string; packageName: string; error: string }[] {
  return failures;
}

/**
 * Initialise every registered backend (loading wasm, creating GL contexts; an init already under
 * way is awaited, not repeated) and re-rank: a backend only knows its real engine, and so its
 * priority, after init. Returns the backends whose init failed in this call (they are dropped).
 * The default does not change once a tensor was made on it (see setBackend to change it).
 */
export async function initBackends(): Promise<{ name: string; error: string }[]> {
  const seen = failures.length;
  for (;;) {
    const pending: Promise<void>[] = [];
    for (const backend of [...backends.values()]) {
      const state = startInit(backend);
      if (state !== undefined) pending.push(state.promise);
    }
    if (pending.length === 0) break;
    await Promise.all(pending);
  }
  if (!defaultLocked || defaultName === null) rank();
  return failures.slice(seen).map((f) => ({ name: f.name, error: f.error }));
}

/** Pick the default device: the explicit choice, else FLINT_BACKEND, else the highest priority. */
function rank(): void {
  if (explicitDefault && defaultName !== null && backends.has(defaultName)) return;
  const forced = envBackend();
  if (forced !== undefined) {
    defaultName = backends.has(forced) ? forced : null;
    return;
  }
  let best: Backend<unknown> | undefined;
  for (const b of backends.values()) if (best === undefined || b.priority() > best.priority()) best = b;
  defaultName = best?.name ?? null;
}

export function removeBackend(name: string): void {
  backends.delete(name);
  inits.delete(name);
  if (defaultName === name) {
    defaultName = null;
    explicitDefault = false;
    defaultLocked = false;
    rank();
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
  let failed: (typeof failures)[number] | undefined;
  for (const f of failures) if (f.name === name) failed = f;
  if (failed !== undefined) {
    return new Error(
      `Backend '${name}' (${failed.packageName}) failed to initialise and was dropped: ${failed.error}. Installed backends: ${list}.`,
    );
  }
  const hint =
    pkg !== undefined
      ? `install it with \`pnpm add ${pkg}\` (or npm i ${pkg}) and import it`
      : `known backends are ${Object.keys(KNOWN_BACKEND_PACKAGES).join(', ')}`;
  return new Error(`Backend '${name}' is not available: ${hint}. Installed backends: ${list}.`);
}

/** Installed backend packages core is still loading with import() (the autoloader fills it). */
export const backendsLoading = new Set<string>();

export function getBackend(name?: string): Backend<unknown> {
  if (name === undefined) {
    const forced = envBackend();
    if (!explicitDefault && forced !== undefined && !backends.has(forced)) throw missingBackendError(forced);
    if (defaultName === null && backendsLoading.size > 0) {
      throw new Error(
        `The installed Flint backends (${[...backendsLoading].join(', ')}) are still loading (this program loads ` +
          "them asynchronously): `await ready()` (import { ready } from '@flint/core') before making tensors, or " +
          "import one yourself (import '@flint/backend-cpu').",
      );
    }
    if (defaultName === null) {
      throw new Error(
        'No Flint backend is installed: install one, e.g. `pnpm add @flint/backend-cpu`, and import it (import "@flint/backend-cpu").',
      );
    }
    const backend = backends.get(defaultName)!;
    if (isInitialising(backend.name)) throw stillInitialisingError(backend);
    defaultLocked = true;
    return backend;
  }
  const backend = backends.get(name);
  if (backend === undefined) throw missingBackendError(name);
  return backend;
}

function stillInitialisingError(backend: Backend<unknown>): Error {
  return new Error(
    `The default Flint backend '${backend.name}' (${backend.packageName}) is still initialising (its engine loads ` +
      "asynchronously): `await ready()` (import { ready } from '@flint/core') before making tensors, or choose a " +
      "backend that is ready with setBackend('cpu').",
  );
}

/**
 * Make `name` the default device for new tensors. A backend that is still initialising can be
 * chosen; making tensors on it waits for `await ready()`.
 */
export function setBackend(name: string): void {
  getBackend(name);
  defaultName = name;
  explicitDefault = true;
  defaultLocked = true;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}

export function hasBackend(name: string): boolean {
  return backends.has(name);
}
