/**
 * Engine selection. tfjs-core's engine is a process-wide singleton, so this module holds one
 * process-wide choice: the first `init()` picks the engine and every Flint tfjs backend instance in
 * the process shares it. Asking for a different engine afterwards is an error.
 */
import { tf } from './tf.js';
import { WASM_FILES, type WasmPaths } from './wasm-files.js';

export type TfjsEngine = 'tensorflow' | 'webgl' | 'wasm' | 'cpu';
/** Auto-selection order. webgl is tried only where `@flint/backend-tfjs/webgl` was imported. */
export const TFJS_ENGINES: readonly TfjsEngine[] = ['tensorflow', 'webgl', 'wasm', 'cpu'];

export const ENGINE_PRIORITY: Readonly<Record<TfjsEngine, number>> = { tensorflow: 100, webgl: 60, wasm: 30, cpu: 20 };

export interface EngineInfo {
  readonly engine: TfjsEngine;
  /** Why each engine tried before this one did not load (empty when the first choice loaded). */
  readonly fallbacks: readonly { engine: TfjsEngine; reason: string }[];
  /** wasm only: SIMD and multi-threading as tfjs detected them. */
  readonly simd?: boolean;
  readonly threads?: boolean;
  /** webgl only: the WebGL version tfjs uses (1 or 2). */
  readonly webglVersion?: number;
}

let active: EngineInfo | null = null;
let pending: { requested: TfjsEngine | 'auto'; promise: Promise<EngineInfo> } | null = null;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * What only Node can do (resolve files relative to this package, load CommonJS synchronously),
 * installed by the Node entry (node.ts). The browser entry never installs it, so this module has
 * no Node import and bundles for a browser unchanged.
 */
export interface NodePlatform {
  /** `require` rooted at this package (finds its own dependencies under pnpm's strict layout). */
  readonly require: (id: string) => unknown;
  /** The folder holding tfjs-backend-wasm's .wasm binaries, with a trailing slash. */
  wasmDirectory(): string;
  /** Whether tfjs-node's native `tfjs_binding.node` is on disk (tfjs-node then loads). */
  nativeAddonPresent(): boolean;
}

let nodePlatform: NodePlatform | null = null;

/** Installed by `@flint/backend-tfjs/webgl` (webgl.ts), which imports tfjs-backend-webgl. */
let webglAvailable = false;

/** @internal Called by the webgl entry once tfjs-backend-webgl has registered its engine. */
export function enableWebglEngine(): void {
  webglAvailable = true;
}

/** @internal Called once by the Node entry. */
export function setNodePlatform(platform: NodePlatform): void {
  nodePlatform = platform;
}

let configuredWasmPaths: WasmPaths | undefined;

/**
 * Tell the wasm engine where its .wasm files are served (browsers; in Node they are found in the
 * installed package). Call it before the backend initialises, i.e. at the top level of the module
 * that imports `@flint/backend-tfjs` (core starts the init right after the importing module's own
 * code has run) or before `await ready()`. A `createTfjsBackend({ wasmPaths })` option wins.
 */
export function setWasmPaths(paths: WasmPaths): void {
  if (typeof paths !== 'string') {
    const missing = WASM_FILES.filter((f) => typeof (paths as Record<string, unknown>)[f] !== 'string');
    if (missing.length > 0) throw new Error(`setWasmPaths: no URL given for ${missing.join(', ')}.`);
  }
  if (wasmLoadStarted) {
    throw new Error(
      'setWasmPaths() was called after the tfjs wasm engine started loading: call it at the top level of the module that imports @flint/backend-tfjs, before `await ready()`.',
    );
  }
  configuredWasmPaths = paths;
}

let configuredEngine: TfjsEngine | 'auto' | undefined;

/**
 * Choose the engine of instances created without an `engine` option (the default `tfjsBackend`
 * included), like FLINT_TFJS_ENGINE does in Node (this wins over the variable). Browsers have no
 * environment variables, so this is how a page picks one. Call it before the backend initialises
 * (see setWasmPaths for when that is).
 */
export function setTfjsEngine(engine: TfjsEngine | 'auto'): void {
  if (engine !== 'auto' && !(TFJS_ENGINES as readonly string[]).includes(engine)) {
    throw new Error(
      `setTfjsEngine: '${String(engine)}' is not a tfjs engine: use one of auto, ${TFJS_ENGINES.join(', ')}.`,
    );
  }
  if (active !== null || pending !== null) {
    throw new Error(
      `setTfjsEngine('${engine}') was called after the tfjs backend started initialising (engine ${active?.engine ?? 'loading'}): call it at the top level of the module that imports @flint/backend-tfjs, before \`await ready()\`.`,
    );
  }
  configuredEngine = engine;
}

/** The engine chosen by setTfjsEngine, else FLINT_TFJS_ENGINE, else undefined. */
export function configuredOrEnvEngine(): TfjsEngine | 'auto' | undefined {
  return configuredEngine ?? engineFromEnv();
}

/** Set when the wasm engine's binaries are first requested (setWasmPaths is too late after that). */
let wasmLoadStarted = false;
let warnedFallback = false;

export function activeEngine(): EngineInfo | null {
  return active;
}

export function assertReady(): void {
  if (active === null) {
    throw new Error(
      "The Flint tfjs backend is not initialised yet (its engine loads asynchronously): `await ready()` (import { ready } from '@flint/core'), or await backend.init(), before using it.",
    );
  }
}

/** FLINT_TFJS_ENGINE, validated; undefined when unset or empty. */
export function engineFromEnv(): TfjsEngine | undefined {
  const value = isNode ? process.env.FLINT_TFJS_ENGINE : undefined;
  if (value === undefined || value === '') return undefined;
  if (!(TFJS_ENGINES as readonly string[]).includes(value)) {
    throw new Error(`FLINT_TFJS_ENGINE='${value}' is not a tfjs engine: use one of ${TFJS_ENGINES.join(', ')}.`);
  }
  return value as TfjsEngine;
}

export interface LoadOptions {
  /** Where the wasm binaries live (browser deployments); in Node the package's own dist folder is used. */
  readonly wasmPaths?: WasmPaths;
}

/** Select (once per process) and initialise a tfjs engine. Idempotent; concurrent calls share one load. */
export function ensureEngine(requested: TfjsEngine | 'auto', options: LoadOptions = {}): Promise<EngineInfo> {
  if (active !== null) {
    if (requested !== 'auto' && requested !== active.engine) {
      return Promise.reject(
        new Error(
          `tfjs runs one engine per process: this process already runs Flint's tfjs backend on '${active.engine}', so it cannot also use '${requested}'. Use a separate process (e.g. a separate vitest file).`,
        ),
      );
    }
    return Promise.resolve(active);
  }
  if (pending !== null) {
    if (requested === 'auto' || requested === pending.requested) return pending.promise;
    return pending.promise.then(() => ensureEngine(requested, options));
  }
  const promise = load(requested, options).then(
    (info) => {
      active = info;
      pending = null;
      return info;
    },
    (err: unknown) => {
      pending = null;
      throw err;
    },
  );
  pending = { requested, promise };
  return promise;
}

async function load(requested: TfjsEngine | 'auto', options: LoadOptions): Promise<EngineInfo> {
  if (requested !== 'auto') {
    try {
      return { ...(await loadEngine(requested, options)), fallbacks: [] };
    } catch (err) {
      throw new Error(`The tfjs engine '${requested}' was requested but cannot be loaded: ${message(err)}`);
    }
  }
  const fallbacks: { engine: TfjsEngine; reason: string }[] = [];
  for (const engine of TFJS_ENGINES) {
    // tfjs-node exists only in Node, webgl only where its entry was imported: not fallbacks worth recording.
    if (engine === 'tensorflow' && nodePlatform === null) continue;
    if (engine === 'webgl' && !webglAvailable) continue;
    try {
      const info = { ...(await loadEngine(engine, options)), fallbacks };
      if (engine === 'cpu') warnCpuFallback(fallbacks);
      return info;
    } catch (err) {
      fallbacks.push({ engine, reason: message(err) });
    }
  }
  throw new Error(`No tfjs engine could be loaded: ${fallbacks.map((f) => `${f.engine}: ${f.reason}`).join('; ')}`);
}

function message(err: unknown): string {
  if (err instanceof Error) return err.message;
  // tfjs-backend-wasm rejects with a plain { message } object when its binary does not load.
  const m = (err as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : String(err);
}

/** Auto-selection ended on tfjs's pure-JS engine because wasm did not load: say so, once, with the fix. */
function warnCpuFallback(fallbacks: readonly { engine: TfjsEngine; reason: string }[]): void {
  const wasm = fallbacks.find((f) => f.engine === 'wasm');
  if (wasm === undefined || warnedFallback) return;
  warnedFallback = true;
  const fix =
    nodePlatform === null
      ? `Serve the files ${WASM_FILES.join(', ')} of @tensorflow/tfjs-backend-wasm (in Node, \`wasmDirectory()\` from '@flint/backend-tfjs/wasm' gives their folder) and call setWasmPaths('<their URL>/') from '@flint/backend-tfjs' before first use.`
      : 'Check that @tensorflow/tfjs-backend-wasm is installed with its dist/*.wasm files.';
  console.warn(
    `@flint/backend-tfjs: the wasm engine did not load (${wasm.reason}), so tfjs runs on its pure-JavaScript cpu engine, many times slower. ${fix}`,
  );
}

async function loadEngine(engine: TfjsEngine, options: LoadOptions): Promise<Omit<EngineInfo, 'fallbacks'>> {
  switch (engine) {
    case 'tensorflow':
      await loadTfjsNode();
      break;
    case 'webgl': {
      if (!webglAvailable) {
        throw new Error(
          "the webgl engine is not loaded: import '@flint/backend-tfjs/webgl' (it needs @tensorflow/tfjs-backend-webgl installed, and a browser)",
        );
      }
      await setTfBackend('webgl');
      // Without float32 render targets tfjs would compute in float16: refuse rather than lose precision.
      if (!tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) {
        throw new Error('WebGL here cannot render to float32 textures (tfjs would compute in float16)');
      }
      return { engine, webglVersion: tf.env().getNumber('WEBGL_VERSION') };
    }
    case 'wasm': {
      await loadWasm(options);
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
      return { engine, simd, threads };
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      await setTfBackend('cpu');
      // The cpu engine prints a "use tfjs-node" banner on first use in Node; Flint reports its engine itself.
      (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
      break;
  }
  return { engine };
}

/** The native addon: throws "The Node.js native addon module (tfjs_binding.node) can not be found" when libtensorflow is missing. */
export async function loadTfjsNode(): Promise<void> {
  if (!isNode || nodePlatform === null) throw new Error('@tensorflow/tfjs-node only runs in Node.js');
  const specifier = '@tensorflow/tfjs-node';
  await import(/* @vite-ignore */ specifier);
  checkSameTfjsCore();
  await setTfBackend('tensorflow');
}

function checkSameTfjsCore(): void {
  if (tf.findBackend('tensorflow') === null && !tf.engine().registryFactory.tensorflow) {
    throw new Error(
      "@tensorflow/tfjs-node loaded but registered its 'tensorflow' engine on a different copy of @tensorflow/tfjs-core: make both resolve to one copy (same version, deduped).",
    );
  }
}

/**
 * Node: select the tensorflow engine (native addon present) or a forced cpu engine synchronously,
 * so the backend is usable right after import. False when the engine needs async init (wasm) or
 * this is not Node; ensureEngine() then does the work (and reports any failure).
 */
export function ensureEngineSync(requested: TfjsEngine | 'auto'): boolean {
  if (active !== null) return requested === 'auto' || requested === active.engine;
  if (pending !== null || nodePlatform === null) return false;
  const engine = requested === 'auto' ? (nodePlatform.nativeAddonPresent() ? 'tensorflow' : null) : requested;
  if (engine !== 'tensorflow' && engine !== 'cpu') return false;
  try {
    if (engine === 'tensorflow') {
      nodePlatform.require('@tensorflow/tfjs-node');
      checkSameTfjsCore();
    } else {
      nodePlatform.require('@tensorflow/tfjs-backend-cpu');
    }
    // Both engines' factories are synchronous: setBackend has switched before its promise returns.
    tf.setBackend(engine).catch(() => undefined);
    if (tf.findBackend(engine) === null || tf.getBackend() !== engine) return false;
  } catch {
    return false;
  }
  if (engine === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  active = { engine, fallbacks: [] };
  return true;
}

async function loadWasm(options: LoadOptions): Promise<void> {
  await withoutAddedProcessListeners(() => importAndSetWasm(options));
}

/**
 * The events whose listeners tfjs-backend-wasm's emscripten module installs in Node when the wasm
 * engine is instantiated (in `tf.setBackend('wasm')`, not at import): `e => { throw e }`
 * rethrown from inside its bundle, which turns any uncaught error or unhandled rejection of the
 * whole program into exit code 7 with the bundle's minified source printed before the message.
 */
const HIJACKED_EVENTS: readonly string[] = ['uncaughtException', 'unhandledRejection'];

/** Runs `load`, then removes every listener of HIJACKED_EVENTS added while it ran (also when it fails). */
async function withoutAddedProcessListeners(load: () => Promise<void>): Promise<void> {
  if (!isNode) return load();
  // Typed as a plain emitter: Process's overloads do not accept an event name held in a variable.
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    await load();
  } finally {
    for (const [event, existing] of before) {
      for (const listener of emitter.listeners(event)) {
        if (!existing.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}

async function importAndSetWasm(options: LoadOptions): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Read after the first await: setWasmPaths() at the importing module's top level is in time.
  const paths = options.wasmPaths ?? configuredWasmPaths;
  wasmLoadStarted = true;
  if (paths !== undefined) {
    wasm.setWasmPaths(paths as string | Record<string, string>);
  } else if (nodePlatform !== null) {
    // In Node the binaries are read from the package's dist folder (SIMD build when supported).
    wasm.setWasmPaths(nodePlatform.wasmDirectory());
  }
  await setTfBackend('wasm');
}

async function setTfBackend(name: string): Promise<void> {
  let ok: boolean;
  const warn = console.warn;
  const warnings: string[] = [];
  // tfjs reports a failed backend initialisation with console.warn and `false`; capture the reason.
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  try {
    ok = await tf.setBackend(name);
    if (ok) await tf.ready();
  } finally {
    console.warn = warn;
  }
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`tf.setBackend('${name}') failed${warnings.length > 0 ? `: ${warnings.join(' ')}` : ''}`);
  }
  for (const w of warnings) warn(w);
}

/** Priority before init: the engine we expect to get (native addon -> tensorflow, webgl entry -> webgl, else wasm). */
export function expectedEngine(forced: TfjsEngine | undefined): TfjsEngine {
  if (active !== null) return active.engine;
  if (forced !== undefined) return forced;
  if (nativeAddonPresent()) return 'tensorflow';
  return webglAvailable ? 'webgl' : 'wasm';
}

function nativeAddonPresent(): boolean {
  return nodePlatform?.nativeAddonPresent() ?? false;
}
