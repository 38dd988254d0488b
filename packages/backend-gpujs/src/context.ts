/**
 * The device context: one gpu.js instance, the compiled-kernel cache, storage bookkeeping and the
 * only readback path. Every kernel file goes through `run`, so caching, compile counting and
 * memory accounting live in one place.
 */
import type { DType } from '@flint/core/backend';
import { Input, type GPU, type Texture } from 'gpu.js';
import { KernelCache } from './cache.js';
import { parseMode, probeEngine, type GpujsEngine, type GpujsMode } from './engine.js';
import type { GpuStorage, KernelOwner } from './storage.js';
import { FLOAT_EXACT, LIMB, MAX_ELEMENTS } from './wide.js';

export interface GpujsBackendOptions {
  /** Force a gpu.js mode; default: FLINT_GPUJS_MODE, else 'auto' (headless-gl, else webasm). */
  readonly mode?: GpujsMode;
  /**
   * Accept an engine that can only store 8-bit packed values (gpu.js precision 'unsigned').
   * Results then lose precision badly; refused by default.
   */
  readonly allowUnsignedPrecision?: boolean;
  /** Compiled kernels kept (LRU). Default 512. */
  readonly cacheSize?: number;
  /** Suppress the one-time warning when auto mode falls back to webasm. */
  readonly quiet?: boolean;
  /**
   * Kernels touching a tensor of more elements than this use wide (two-limb) index arithmetic
   * (wide.ts). Default and maximum 2^24, where float32 integers stop being exact; lower it only to
   * test the wide kernels on small tensors.
   */
  readonly wideAbove?: number;
}

/** A compiled gpu.js kernel as this package uses it: output [n], pipeline, immutable. */
export interface CompiledKernel {
  (...args: unknown[]): unknown;
  kernel: { constructor: { name: string } };
  destroy(removeCanvasReferences?: boolean): void;
}

/**
 * A cache entry. gpu.js textures read back and free themselves through the kernel that made them,
 * so an evicted kernel is destroyed only when none of its outputs is alive.
 */
class KernelEntry implements KernelOwner {
  live = 0;
  private evicted = false;
  constructor(readonly fn: CompiledKernel) {}
  /** Called by the LRU on eviction. */
  destroy(): void {
    this.evicted = true;
    if (this.live === 0) this.fn.destroy(false);
  }
  /** Called when one of its outputs is disposed. */
  release(): void {
    this.live--;
    if (this.evicted && this.live === 0) this.fn.destroy(false);
  }
}

/** A device storage, a scalar (a float uniform), or host data to upload (write only). */
export type KernelArg = GpuStorage | number | Float32Array;

/**
 * How storage arguments are handed to a kernel: flat (`a[i]`), or as 2-D views whose rows hold
 * `row` elements (`a[r][c]` is element c + row * r, computed by gpu.js in int): `'limbs'` is rows
 * of LIMB for wide kernels, a number is one row length for every storage argument.
 */
export type ArgLayout = 'flat' | 'limbs' | number | readonly (number | undefined)[];

let warnedWebasm = false;

/** Refuse an engine that only stores 8-bit packed values unless the user opted in. */
export function checkPrecision(engine: string, precision: string, allowUnsigned: boolean): void {
  if (precision === 'single' || allowUnsigned) return;
  throw new Error(
    `@flint/backend-gpujs: gpu.js's '${engine}' engine here only offers precision '${precision}' ` +
      `(8-bit packed values), not float32. Pass { allowUnsignedPrecision: true } to createGpujsBackend to accept ` +
      `lossy results, or use another engine (FLINT_GPUJS_MODE=webasm) or backend.`,
  );
}

/**
 * Which library made a GL context in this process, keyed process-wide so that separately installed
 * packages see each other without importing each other (@flint/backend-webgpu sets 'dawn-opengl').
 * Under an X display Mesa allows one GL stack per process: headless-gl's GLX context after Dawn's
 * EGL one aborts the process with an X BadAccess error.
 */
const NATIVE_GL = Symbol.for('@flint/native-gl');

function claimNativeGl(owner: string): void {
  (globalThis as Record<symbol, string | undefined>)[NATIVE_GL] ??= owner;
}

function glHeldByDawn(): boolean {
  const owner = (globalThis as Record<symbol, string | undefined>)[NATIVE_GL];
  return owner === 'dawn-opengl' && typeof process !== 'undefined' && (process.env.DISPLAY ?? '') !== '';
}

export class GpuContext {
  readonly gpu: GPU;
  readonly engine: GpujsEngine;
  readonly mode: GpujsMode;
  readonly renderer: string | null;
  readonly precision: string;
  readonly cache: KernelCache<KernelEntry>;
  /** Device-to-host transfers performed (only `read`/`readSync` do them). */
  readbacks = 0;
  private nextId = 1;
  private liveHandles = 0;
  private liveBytes = 0;
  private readonly fallbackWarning: string | null;
  private readonly wideAbove: number;

  constructor(options: GpujsBackendOptions = {}) {
    const envMode = typeof process !== 'undefined' ? process.env.FLINT_GPUJS_MODE : undefined;
    this.wideAbove = options.wideAbove ?? FLOAT_EXACT;
    if (!(this.wideAbove >= 0 && this.wideAbove <= FLOAT_EXACT)) {
      throw new Error(`@flint/backend-gpujs: wideAbove must be in [0, 2^24], got ${options.wideAbove}.`);
    }
    this.mode = options.mode ?? parseMode(envMode);
    const glTakenBy = glHeldByDawn();
    if (glTakenBy && this.mode === 'headlessgl') {
      throw new Error(
        `@flint/backend-gpujs: headless-gl cannot start: Dawn's OpenGL adapter (@flint/backend-webgpu) already holds GL ` +
          `under the X display, and Mesa allows one GL stack per process (a second one aborts it with X BadAccess). ` +
          `Create the gpujs backend before the webgpu one, or run without a display.`,
      );
    }
    const probe = probeEngine(glTakenBy && this.mode === 'auto' ? 'webasm' : this.mode);
    if (probe.engine === 'headlessgl') claimNativeGl('headless-gl');
    this.gpu = probe.gpu;
    this.engine = probe.engine;
    this.renderer = probe.renderer;
    this.precision = probe.precision;
    try {
      checkPrecision(probe.engine, probe.precision, options.allowUnsignedPrecision === true);
    } catch (e) {
      probe.gpu.destroy();
      throw e;
    }
    // Warn when the fallback is first used, not at import: auto-loading imports every installed
    // backend, and a program running on another backend should not see this.
    this.fallbackWarning =
      this.mode === 'auto' && (this.engine === 'webasm' || this.engine === 'cpu') && options.quiet !== true
        ? glTakenBy
          ? `@flint/backend-gpujs: Dawn's OpenGL adapter (@flint/backend-webgpu) holds GL under this X display and Mesa ` +
            `allows one GL stack per process, so gpu.js runs its ${this.engine} mode on the CPU instead.`
          : `@flint/backend-gpujs: no GL context could be created (is the 'gl' package built and an X display available? ` +
            `try xvfb-run), running gpu.js's ${this.engine} mode on the CPU instead.`
        : null;
    this.cache = new KernelCache<KernelEntry>(options.cacheSize ?? 512);
  }

  /** True when a kernel over tensors of these sizes needs wide index arithmetic. */
  needsWide(...sizes: readonly number[]): boolean {
    for (const s of sizes) if (s > this.wideAbove) return true;
    return false;
  }

  /** Called by the upload kernels (every tensor starts with one): the one-time fallback warning. */
  noteFirstUse(): void {
    if (this.fallbackWarning === null || warnedWebasm) return;
    warnedWebasm = true;
    console.warn(this.fallbackWarning);
  }

  get onDevice(): boolean {
    return (
      this.engine === 'headlessgl' || this.engine === 'webgl' || this.engine === 'webgl2' || this.engine === 'webgpu'
    );
  }

  memory(): { handles: number; bytes: number } {
    return { handles: this.liveHandles, bytes: this.liveBytes };
  }

  private track(
    data: Texture | Float32Array | null,
    size: number,
    dtype: DType,
    owner: KernelOwner | null = null,
  ): GpuStorage {
    let bytes = 0;
    if (data instanceof Float32Array) bytes = data.byteLength;
    else if (data !== null) {
      const texSize = (data as unknown as { size: [number, number] }).size;
      bytes = texSize[0] * texSize[1] * 16; // RGBA float32 texels
    }
    this.liveHandles++;
    this.liveBytes += bytes;
    if (owner !== null && !(data instanceof Float32Array)) owner.live++;
    else owner = null;
    return { id: this.nextId++, data, size, bytes, dtype, disposed: false, owner };
  }

  empty(dtype: DType): GpuStorage {
    return this.track(null, 0, dtype);
  }

  dispose(s: GpuStorage): void {
    if (s.disposed) return;
    s.disposed = true;
    this.liveHandles--;
    this.liveBytes -= s.bytes;
    const data = s.data;
    s.data = null;
    if (data !== null && !(data instanceof Float32Array)) data.delete();
    s.owner?.release();
  }

  /**
   * Run the kernel `name` (source `source`, which must not depend on anything outside `name` and
   * `constants`) with output [outSize]. Compiled kernels are cached by name, output size,
   * constants and argument sizes and layouts — everything that changes gpu.js's generated shader.
   */
  run(
    name: string,
    source: string,
    constants: Readonly<Record<string, number>>,
    outSize: number,
    args: readonly KernelArg[],
    dtype: DType,
    layout: ArgLayout = 'flat',
  ): GpuStorage {
    if (outSize === 0) return this.empty(dtype);
    checkSize(name, outSize);
    let key = `${name}|${outSize}|`;
    for (const c in constants) key += `${constants[c]},`;
    key += '|';
    const values: unknown[] = new Array(args.length);
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (typeof a === 'number') {
        key += 'f,';
        values[i] = a;
      } else if (a instanceof Float32Array) {
        key += `h${a.length},`;
        values[i] = a;
      } else {
        if (a.disposed) throw new Error(`@flint/backend-gpujs: kernel '${name}' was given a disposed tensor storage.`);
        if (a.data === null)
          throw new Error(`@flint/backend-gpujs: kernel '${name}' was given an empty tensor as input.`);
        const row =
          layout === 'flat' ? undefined : layout === 'limbs' ? LIMB : typeof layout === 'number' ? layout : layout[i];
        if (row === undefined) {
          key += `${a.size},`;
          values[i] = a.data;
        } else {
          key += `${a.size}v${row},`;
          values[i] = rowView(a.data, a.size, row);
        }
      }
    }
    const entry = this.cache.getOrBuild(key, () => new KernelEntry(this.build(source, constants, outSize)));
    const out = entry.fn(...values) as Texture | Float32Array;
    return this.track(out, outSize, dtype, entry);
  }

  /** Upload host floats. */
  upload(data: Float32Array, dtype: DType): GpuStorage {
    if (data.length === 0) return this.empty(dtype);
    return this.run('write', UPLOAD_SOURCE, {}, data.length, [data], dtype);
  }

  /** A new storage of `size` elements all equal to `value` (a uniform: any value, one kernel per size). */
  fill(size: number, value: number, dtype: DType): GpuStorage {
    return this.run('fill', FILL_SOURCE, {}, size, [value], dtype);
  }

  private build(source: string, constants: Readonly<Record<string, number>>, outSize: number): CompiledKernel {
    return this.gpu.createKernel(source, {
      output: [outSize],
      constants: { ...constants },
      pipeline: true,
      immutable: true,
      precision: 'single',
      tactic: 'precision',
    }) as unknown as CompiledKernel;
  }

  /** The one device-to-host path. */
  readFloats(s: GpuStorage): Float32Array {
    if (s.disposed) throw new Error('@flint/backend-gpujs: read of a disposed tensor storage.');
    if (s.data === null) return new Float32Array(0);
    this.readbacks++;
    if (s.data instanceof Float32Array) return s.data;
    const arr = s.data.toArray() as unknown as Float32Array;
    return arr.length === s.size ? arr : arr.subarray(0, s.size);
  }

  destroy(): void {
    this.cache.clear();
    this.gpu.destroy();
  }
}

/** Refuse a tensor larger than this backend's index arithmetic and textures allow, naming the limit. */
function checkSize(what: string, elements: number): void {
  if (elements > MAX_ELEMENTS) {
    throw new Error(
      `@flint/backend-gpujs: ${what} would make a tensor of ${elements} elements; this backend holds at most ` +
        `2^28 = ${MAX_ELEMENTS} elements per tensor (a 16384 x 16384 GL texture).`,
    );
  }
}

/**
 * A 2-D view of a storage's data as rows of `row` elements, so that a kernel reads `a[r][c]`:
 * on GL, the same texture with other dimensions (gpu.js addresses texels from them); on webasm,
 * a gpu.js Input over the same array (its constructor insists the rows are full, so it is made
 * without it; the last row may be short, and the kernels never read past the end).
 */
function rowView(data: Texture | Float32Array, size: number, row: number): unknown {
  const rows = Math.ceil(size / row);
  if (data instanceof Float32Array) {
    const view = Object.create(Input.prototype) as { value: Float32Array; size: Int32Array };
    view.value = data;
    view.size = new Int32Array([row, rows]);
    return view;
  }
  const view = Object.create(data) as { output: number[]; dimensions: number[] };
  view.output = [row, rows];
  view.dimensions = [row, rows, 1];
  return view;
}

const FILL_SOURCE = `function(v) { return v; }`;
const UPLOAD_SOURCE = `function(a) { return a[this.thread.x]; }`;
