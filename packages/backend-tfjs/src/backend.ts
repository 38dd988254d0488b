/** The Flint backend object: device 'tfjs', kernels on tf.Tensors, engine chosen at init. */
import type { Backend, BackendMemory } from '@flint/core/backend';
import { tf, type TfTensor } from './tf.js';
import { kernels } from './kernels/index.js';
import type { WasmPaths } from './wasm-files.js';
import {
  activeEngine,
  ENGINE_PRIORITY,
  configuredOrEnvEngine,
  ensureEngine,
  ensureEngineSync,
  expectedEngine,
  type EngineInfo,
  type TfjsEngine,
} from './engine.js';

export interface TfjsBackendOptions {
  /**
   * Which tfjs engine to run on. Default: FLINT_TFJS_ENGINE when set, else the best that loads
   * (tensorflow via @tensorflow/tfjs-node, then wasm, then cpu). A forced engine that cannot load
   * is an error, never a silent fallback.
   */
  readonly engine?: TfjsEngine | 'auto';
  /** Browser deployments: where the tfjs wasm binaries are served (see setWasmPaths). */
  readonly wasmPaths?: WasmPaths;
}

export interface TfjsBackend extends Backend<TfjsStorage> {
  readonly kernels: typeof kernels;
  init(): Promise<void>;
  /** Node: init synchronously when the engine allows it (tensorflow, cpu); false otherwise. */
  initSync(): boolean;
  /** 'tensorflow' | 'webgl' | 'wasm' | 'cpu' after init; before init, the engine init is expected to pick. */
  engine(): TfjsEngine;
  /** Details of the engine choice (fallback reasons, wasm SIMD/threads); null before init. */
  engineInfo(): EngineInfo | null;
}

/** The storage type: the tf.Tensor itself. */
export type TfjsStorage = TfTensor;

export function createTfjsBackend(options: TfjsBackendOptions = {}): TfjsBackend {
  const requested = (): TfjsEngine | 'auto' => {
    if (options.engine !== undefined && options.engine !== 'auto') return options.engine;
    return configuredOrEnvEngine() ?? 'auto';
  };
  const loadOptions = options.wasmPaths === undefined ? {} : { wasmPaths: options.wasmPaths };
  return {
    name: 'tfjs',
    packageName: '@flint/backend-tfjs',
    kernels,
    async init(): Promise<void> {
      await ensureEngine(requested(), loadOptions);
    },
    initSync(): boolean {
      return ensureEngineSync(requested());
    },
    engine(): TfjsEngine {
      const active = activeEngine();
      if (active !== null) return active.engine;
      const r = requested();
      return expectedEngine(r === 'auto' ? undefined : r);
    },
    engineInfo: activeEngine,
    priority(): number {
      return ENGINE_PRIORITY[this.engine()];
    },
    memory(): BackendMemory {
      const m = tf.memory();
      return { handles: m.numTensors, bytes: m.numBytes };
    },
  };
}
