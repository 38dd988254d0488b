/** The names of tfjs-backend-wasm's binaries (no imports: the `./wasm` entry reads them in build tools). */

/** The wasm binaries tfjs-backend-wasm picks from, by SIMD and thread support. */
export const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

export type WasmFile = (typeof WASM_FILES)[number];

/** Where the wasm binaries are served: a folder URL ending in '/', or one URL per file. */
export type WasmPaths = string | Readonly<Record<WasmFile, string>>;
