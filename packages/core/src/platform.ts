/**
 * Where core runs. Node-only modules are reached through `process.getBuiltinModule` (Node >= 20.16)
 * at call time, never by a static `import 'node:…'`, so core's entry bundles for a browser with no
 * shims and no bundler configuration: the code that needs them runs only in Node.
 */

/** True in Node.js (and runtimes that present themselves as Node, e.g. Bun, Deno's compat layer). */
export const isNode: boolean =
  typeof process !== 'undefined' && typeof process.versions === 'object' && typeof process.versions?.node === 'string';

interface BuiltinModules {
  'node:fs': typeof import('node:fs');
  'node:fs/promises': typeof import('node:fs/promises');
  'node:path': typeof import('node:path');
  'node:url': typeof import('node:url');
  'node:module': typeof import('node:module');
  'node:crypto': typeof import('node:crypto');
}

/**
 * A Node built-in module, or undefined outside Node. In a Node older than 20.16 (no
 * `getBuiltinModule`) it throws, naming the version needed.
 */
export function nodeBuiltin<K extends keyof BuiltinModules>(name: K): BuiltinModules[K] | undefined {
  if (!isNode) return undefined;
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof get !== 'function') {
    throw new Error(
      `@flint/core needs Node.js >= 20.16 (process.getBuiltinModule) to use ${name}; this is Node ${process.version}.`,
    );
  }
  return get(name) as BuiltinModules[K];
}

/** A Node built-in module that the calling API cannot do without: throws `what` outside Node. */
export function requireNodeBuiltin<K extends keyof BuiltinModules>(name: K, what: string): BuiltinModules[K] {
  const mod = nodeBuiltin(name);
  if (mod === undefined) throw new Error(what);
  return mod;
}
