/**
 * Engine selection: which gpu.js mode this backend runs on, and what gpu.js really built.
 *
 * In Node, gpu.js's default mode picks headless-gl when a GL context can be made and silently
 * falls back to its webasm mode otherwise. We build a probe kernel and read the class gpu.js
 * actually instantiated (`kernel.kernel.constructor.name`), so `engine()` never guesses.
 */
import { GPU } from 'gpu.js';

export type GpujsEngine = 'headlessgl' | 'webgl2' | 'webgl' | 'webgpu' | 'webasm' | 'cpu';
/** Modes a user may force (FLINT_GPUJS_MODE or the factory's `mode` option). */
export type GpujsMode = 'auto' | 'headlessgl' | 'webgl2' | 'webgl' | 'webasm' | 'cpu';

const ENGINE_BY_CLASS: Readonly<Record<string, GpujsEngine>> = {
  HeadlessGLKernel: 'headlessgl',
  WebGL2Kernel: 'webgl2',
  WebGLKernel: 'webgl',
  WebGPUKernel: 'webgpu',
  WebAssemblyKernel: 'webasm',
  CPUKernel: 'cpu',
};

const MODES: readonly GpujsMode[] = ['auto', 'headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'];

export function parseMode(value: string | undefined): GpujsMode {
  if (value === undefined || value === '' || value === 'gpu') return 'auto';
  if (value === 'webgpu' || value === 'async') {
    throw new Error(
      `@flint/backend-gpujs: mode '${value}' is not supported: gpu.js's WebGPU kernels return Promises, ` +
        `and Flint's kernel contract is synchronous. Use one of ${MODES.join(', ')}.`,
    );
  }
  if ((MODES as readonly string[]).includes(value)) return value as GpujsMode;
  throw new Error(
    `@flint/backend-gpujs: unknown mode '${value}' (FLINT_GPUJS_MODE / mode option); use one of ${MODES.join(', ')}.`,
  );
}

export interface ProbeResult {
  readonly gpu: GPU;
  readonly engine: GpujsEngine;
  /** Precision gpu.js settled on for a kernel asked for 'single'. */
  readonly precision: string;
  /** The GL renderer string where gpu.js runs on GL (e.g. 'llvmpipe (LLVM 15.0.6, 256 bits)'). */
  readonly renderer: string | null;
  /** Why gpu.js degraded a kernel (webasm -> cpu), when it says. */
  readonly fallbackReason: string | null;
}

interface ProbeKernel {
  (x: Float32Array): unknown;
  kernel: { constructor: { name: string }; precision?: string; fallbackReason?: string; context?: unknown };
  destroy(removeCanvasReferences?: boolean): void;
}

export function engineOfKernel(k: { kernel: { constructor: { name: string } } }): GpujsEngine {
  const name = k.kernel.constructor.name;
  const engine = ENGINE_BY_CLASS[name];
  if (engine === undefined) throw new Error(`@flint/backend-gpujs: gpu.js built an unknown kernel class '${name}'.`);
  return engine;
}

function glRenderer(context: unknown): string | null {
  const gl = context as
    | {
        getParameter?(p: number): unknown;
        getExtension?(n: string): { UNMASKED_RENDERER_WEBGL: number } | null;
        RENDERER?: number;
      }
    | undefined;
  if (gl === undefined || gl === null || typeof gl.getParameter !== 'function') return null;
  try {
    const ext = gl.getExtension?.('WEBGL_debug_renderer_info');
    const value = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER ?? 0x1f01);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Create a GPU in `mode` and build one tiny kernel to see what gpu.js really runs. */
export function probeEngine(mode: GpujsMode): ProbeResult {
  const gpu = new GPU(mode === 'auto' ? {} : { mode });
  const k = gpu.createKernel(`function(x) { return x[this.thread.x] + 1; }`, {
    output: [4],
    precision: 'single',
    tactic: 'precision',
  }) as unknown as ProbeKernel;
  const out = k(new Float32Array([0, 1, 2, 3])) as ArrayLike<number>;
  if (out[3] !== 4) throw new Error(`@flint/backend-gpujs: the probe kernel computed ${String(out[3])} instead of 4.`);
  const engine = engineOfKernel(k);
  const precision = k.kernel.precision ?? 'single';
  const renderer = glRenderer(k.kernel.context);
  const fallbackReason = k.kernel.fallbackReason ?? null;
  k.destroy();
  return { gpu, engine, precision, renderer, fallbackReason };
}
