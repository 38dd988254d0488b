/**
 * The Node half of the engine selection, loaded only by the Node entry (index.ts): a `require`
 * rooted at this package (tfjs-node and the tfjs engines are this package's dependencies), the wasm
 * binaries' folder, and the native-addon check.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setNodePlatform } from './engine.js';
import { wasmDirectory } from './wasm.js';

const require = createRequire(import.meta.url);

function nativeAddonPresent(): boolean {
  try {
    const lib = join(dirname(require.resolve('@tensorflow/tfjs-node/package.json')), 'lib');
    if (!existsSync(lib)) return false;
    return readdirSync(lib).some((d) => d.startsWith('napi-v') && existsSync(join(lib, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

setNodePlatform({ require, wasmDirectory, nativeAddonPresent });
