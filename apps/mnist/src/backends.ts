/**
 * Backends as the CLI sees them. Importing @flint/core loads every installed backend package
 * (core's autoload); this module also imports a requested one explicitly (so the CLI works when
 * autoload is off, as in the test suites) and runs its async init (tfjs loads wasm, for example).
 */
import { getBackend, hasBackend, listBackends } from '@flint/core';
import { CliError } from './errors.js';

/** The backend names the CLI knows and the package that provides each. */
export const BACKEND_PACKAGES: Readonly<Record<string, string>> = {
  cpu: '@flint/backend-cpu',
  gpujs: '@flint/backend-gpujs',
  tfjs: '@flint/backend-tfjs',
  webgpu: '@flint/backend-webgpu',
};

export const BACKEND_CHOICES = [...Object.keys(BACKEND_PACKAGES), 'all'] as const;

/** Import a backend package by name (it registers itself). Resolved from this app, like core's autoload. */
async function importBackendPackage(pkg: string): Promise<unknown> {
  return import(pkg);
}

export function checkBackendName(name: string): void {
  if (!(name in BACKEND_PACKAGES) && name !== 'all') {
    throw new CliError(`unknown backend '${name}'; valid backends: ${BACKEND_CHOICES.join(', ')}`, 2);
  }
}

/**
 * Make `name` usable: import its package if it is not registered yet, then initialise it.
 * A package that is not installed (or fails to load) is a CliError naming the package.
 */
export async function ensureBackend(
  name: string,
  importer: (pkg: string) => Promise<unknown> = importBackendPackage,
): Promise<void> {
  checkBackendName(name);
  const pkg = BACKEND_PACKAGES[name]!;
  if (!hasBackend(name)) {
    try {
      await importer(pkg);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      const installed = listBackends();
      throw new CliError(
        `backend '${name}' is not available: the package ${pkg} is not installed or failed to load (${reason}). ` +
          `Install it with \`pnpm add ${pkg}\`. Installed backends: ${installed.length === 0 ? 'none' : installed.join(', ')}.`,
        2,
      );
    }
  }
  if (!hasBackend(name)) {
    throw new CliError(`backend '${name}': ${pkg} was imported but did not register a backend named '${name}'`, 2);
  }
  await getBackend(name).init?.();
}

/**
 * The backends `--backend` selects: one name, or `all` = every backend that is registered or
 * whose package can be loaded (cpu first, the reference for parity).
 */
export async function resolveBackends(choice: string): Promise<string[]> {
  checkBackendName(choice);
  if (choice !== 'all') {
    await ensureBackend(choice);
    return [choice];
  }
  for (const name of Object.keys(BACKEND_PACKAGES)) {
    try {
      await ensureBackend(name);
    } catch {
      // not installed: `all` means the installed ones
    }
  }
  const names = listBackends();
  for (const n of names) await getBackend(n).init?.();
  return names.sort((a, b) => (a === 'cpu' ? -1 : b === 'cpu' ? 1 : a.localeCompare(b)));
}

/** The engine a backend really runs on ('typed-arrays', 'wasm', 'headlessgl', ...). */
export function engineOf(name: string): string {
  return getBackend(name).engine();
}
