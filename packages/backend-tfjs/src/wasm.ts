/**
 * `@flint/backend-tfjs/wasm` (Node only, no side effects): where the tfjs wasm engine's binaries
 * are on disk, for build tools that copy or serve them next to a browser bundle, e.g. in a Vite
 * config. The page then calls `setWasmPaths('<the URL they are served at>/')`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WASM_FILES, type WasmFile } from './wasm-files.js';

export { WASM_FILES, type WasmFile, type WasmPaths } from './wasm-files.js';

/** The folder (absolute path, trailing separator) holding WASM_FILES. */
export function wasmDirectory(): string {
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return join(dirname(pkg), 'dist') + (process.platform === 'win32' ? '\\' : '/');
}

/** Absolute path of each binary. */
export function wasmFilePaths(): Record<WasmFile, string> {
  const dir = wasmDirectory();
  return Object.fromEntries(WASM_FILES.map((f) => [f, dir + f])) as Record<WasmFile, string>;
}
