/**
 * Selection by install, and `ready()`.
 *
 * In Node, importing core's main entry loads every known backend package that resolves from the
 * program's directory (the script, then the working directory), so code that never names a backend
 * runs on the best one installed. Each backend registers itself when loaded. The packages are
 * loaded synchronously with `require()` (Node >= 20.19 and 22.12 load ES modules that way), so they
 * are registered when the import returns; where that is not possible they load with `import()` and
 * `await ready()` waits for them.
 *
 * In every runtime, core's main entry then starts initialising every registered backend (and every
 * one registered later: a backend imported into a browser bundle initialises itself). A backend
 * whose engine loads asynchronously (tfjs's wasm, a WebGPU device) is usable once `await ready()`
 * resolved; making tensors on it before then fails with an error that says so.
 *
 * There is no top-level await anywhere, so CommonJS `require('@flint/core')`, IIFE bundles and
 * older targets work. FLINT_NO_AUTOLOAD=1 turns both the loading and the automatic init off (the
 * test suites register and initialise backends explicitly).
 */
import { isNode, nodeBuiltin } from '../platform.js';
import {
  KNOWN_BACKEND_PACKAGES,
  backendsLoading,
  enableAutoInit,
  hasBackend,
  initBackends,
  initFailures,
} from './registry.js';

export interface AutoloadReport {
  /** Backend packages auto-loaded (Node only). */
  loaded: string[];
  /** Packages that failed to load, and backends whose init failed (they were dropped). */
  failed: { package: string; error: string }[];
}

export const autoloadReport: AutoloadReport = { loaded: [], failed: [] };

/** Backend packages still loading through import() (a Node without require(esm)). */
const loading = new Set<Promise<void>>();
let started = false;

function autoloadDisabled(): boolean {
  return typeof process !== 'undefined' && process.env?.FLINT_NO_AUTOLOAD === '1';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Errors of require() that mean "load it with import() instead" (not "it is broken"). */
const USE_IMPORT = new Set(['ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE', 'ERR_REQUIRE_CYCLE_MODULE']);

/** Node: find each known backend package from the program's directories and load it. */
function loadInstalledBackends(): void {
  const moduleApi = nodeBuiltin('node:module');
  const pathApi = nodeBuiltin('node:path');
  const urlApi = nodeBuiltin('node:url');
  if (moduleApi === undefined || pathApi === undefined || urlApi === undefined) return;
  const bases = [pathApi.join(process.cwd(), 'noop.js')];
  if (process.argv[1] !== undefined) bases.unshift(pathApi.resolve(process.argv[1]));
  for (const [name, pkg] of Object.entries(KNOWN_BACKEND_PACKAGES)) {
    let resolved: { require: NodeJS.Require; path: string } | null = null;
    for (const base of bases) {
      try {
        const require = moduleApi.createRequire(base);
        resolved = { require, path: require.resolve(pkg) };
        break;
      } catch {
        // not installed where this base can see it
      }
    }
    if (resolved === null) continue;
    const { require, path } = resolved;
    try {
      require(path);
      // A require hook that compiles ES modules to CommonJS (tsx's) gives the package a second
      // copy of core, and it registered there: load it through the ES module loader, as this copy.
      if (hasBackend(name) || initFailures().some((f) => f.name === name)) {
        autoloadReport.loaded.push(pkg);
        continue;
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !USE_IMPORT.has(code)) {
        autoloadReport.failed.push({ package: pkg, error: errorMessage(error) });
        continue;
      }
    }
    backendsLoading.add(pkg);
    const load = import(/* @vite-ignore */ urlApi.pathToFileURL(path).href).then(
      () => {
        autoloadReport.loaded.push(pkg);
      },
      (e: unknown) => {
        autoloadReport.failed.push({ package: pkg, error: errorMessage(e) });
      },
    );
    loading.add(load);
    void load.finally(() => {
      loading.delete(load);
      backendsLoading.delete(pkg);
    });
  }
}

/**
 * What core's main entry runs on import: in Node, load the installed backend packages; everywhere,
 * start initialising every registered backend. Synchronous; safe to call twice.
 */
export function autoloadBackends(): void {
  if (started || autoloadDisabled()) return;
  started = true;
  if (isNode) {
    try {
      loadInstalledBackends();
    } catch (error) {
      // e.g. a Node without process.getBuiltinModule: import the backends yourself.
      autoloadReport.failed.push({ package: '@flint/core (autoload)', error: errorMessage(error) });
    }
  }
  enableAutoInit();
}

/**
 * Resolves when every backend is loaded and initialised (tfjs's wasm compiled, the WebGPU device
 * open) and the default device is picked. Await it once before making tensors on a backend whose
 * engine starts asynchronously; calling it again is cheap. Also initialises backends registered
 * with auto-loading off. The report lists what was loaded and what failed (failed backends are
 * dropped, with the reason).
 */
export async function ready(): Promise<AutoloadReport> {
  while (loading.size > 0) await Promise.all([...loading]);
  await initBackends();
  for (const f of initFailures()) {
    const known = KNOWN_BACKEND_PACKAGES[f.name] ?? f.packageName;
    if (!autoloadReport.failed.some((r) => r.package === known && r.error === f.error)) {
      autoloadReport.failed.push({ package: known, error: f.error });
    }
  }
  return autoloadReport;
}
