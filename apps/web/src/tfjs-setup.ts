/**
 * The tfjs backend with the page's settings. They must be made before the backend initialises,
 * and core starts that right after the module importing the backend has run its top level: so
 * they are made here, at the top level of the module that imports it.
 *
 * - The wasm binaries are served by the dev server (vite.config.ts) under `tfjs-wasm/`.
 * - tfjs runs one engine per page: `?tfjs=webgl|wasm|cpu|auto` picks it (default wasm, the engine
 *   the Node tests compare with); the webgl engine comes from `@flint/backend-tfjs/webgl`.
 */
import { setTfjsEngine, setWasmPaths, type TfjsEngine } from '@flint/backend-tfjs';
import '@flint/backend-tfjs/webgl';

export const TFJS_PAGE_ENGINES = ['wasm', 'webgl', 'cpu', 'auto'] as const;

const asked = new URLSearchParams(location.search).get('tfjs') ?? 'wasm';
export const tfjsEngine = (TFJS_PAGE_ENGINES as readonly string[]).includes(asked) ? asked : 'wasm';

setWasmPaths(new URL(`${import.meta.env.BASE_URL}tfjs-wasm/`, location.href).href);
setTfjsEngine(tfjsEngine as TfjsEngine | 'auto');
