/**
 * Selection by install: load every known backend package that can be resolved from the program's
 * directory (or from core's own location), so code that never names a backend runs on the best
 * one installed. Each backend registers itself when imported (after its own engine init).
 * Set FLINT_NO_AUTOLOAD=1 to skip (tests register backends explicitly).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KNOWN_BACKEND_PACKAGES, hasBackend, initBackends } from './registry.js';

export interface AutoloadReport {
  loaded: string[];
  failed: { package: string; error: string }[];
}

export const autoloadReport: AutoloadReport = { loaded: [], failed: [] };

function resolveFrom(base: string, pkg: string): string | null {
  try {
    return createRequire(base).resolve(pkg);
  } catch {
    return null;
  }
}

export async function autoloadBackends(): Promise<AutoloadReport> {
  if (typeof process === 'undefined' || process.env.FLINT_NO_AUTOLOAD === '1') return autoloadReport;
  const bases = [join(process.cwd(), 'noop.js'), import.meta.url];
  if (process.argv[1] !== undefined) bases.unshift(process.argv[1]);
  for (const [name, pkg] of Object.entries(KNOWN_BACKEND_PACKAGES)) {
    if (hasBackend(name)) continue;
    let path: string | null = null;
    for (const base of bases) {
      path = resolveFrom(base, pkg);
      if (path !== null) break;
    }
    if (path === null) continue;
    try {
      await import(pathToFileURL(path).href);
      autoloadReport.loaded.push(pkg);
    } catch (error) {
      autoloadReport.failed.push({ package: pkg, error: error instanceof Error ? error.message : String(error) });
    }
  }
  for (const f of await initBackends()) {
    autoloadReport.failed.push({ package: KNOWN_BACKEND_PACKAGES[f.name] ?? f.name, error: f.error });
  }
  return autoloadReport;
}
