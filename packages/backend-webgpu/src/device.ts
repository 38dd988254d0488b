/**
 * The device context: one GPUDevice, the buffer pool, the pipeline cache, command batching and the
 * only readback path. Every kernel goes through `dispatch`/`copy`/`read`, so batching, caching and
 * memory accounting live in one place.
 *
 * Batching: dispatches are recorded into one open compute pass of one command encoder, and the
 * encoder is submitted when a read needs it or after `maxBatch` dispatches. Kernel parameters go
 * to a per-batch uniform arena (host-side bytes, uploaded with one writeBuffer just before submit).
 *
 * Buffer reuse: queue.writeBuffer runs ahead of commands still being recorded, so a buffer that the
 * open batch references is not handed out again until that batch is submitted (it waits in
 * `quarantine`); all other freed buffers go back to the pool at once.
 */
import type { DataArray, DType } from '@flint/core/backend';
import { openDevice, type AdapterDescription, type AdapterOptions } from './adapter.js';
import { BufferPool, sizeClass } from './pool.js';
import type { WebGpuStorage } from './storage.js';

// GPUBufferUsage / GPUMapMode / GPUShaderStage values from the WebGPU specification (the globals are
// not defined in Node unless Dawn's are installed).
const USAGE_MAP_READ = 0x0001;
const USAGE_COPY_SRC = 0x0004;
const USAGE_COPY_DST = 0x0008;
const USAGE_UNIFORM = 0x0040;
const USAGE_STORAGE = 0x0080;
const MAP_READ = 0x0001;
const STAGE_COMPUTE = 0x4;

/** 32-bit words of parameters a dispatch may pass (the uniform struct is 16 vec4<u32>). */
export const PARAM_WORDS = 64;
const PARAM_BYTES = PARAM_WORDS * 4;

export interface DeviceOptions extends AdapterOptions {
  /** Dispatches recorded before the batch is submitted without a read. Default 128. */
  readonly maxBatch?: number;
  /** Bytes of freed buffers the pool keeps for reuse. Default 256 MiB. */
  readonly poolBytes?: number;
  /**
   * GEMM variant: 'tiled' stages tiles in workgroup memory (GPUs), 'direct' reads operands per
   * invocation (CPU adapters, where barriers are expensive). Default: FLINT_WEBGPU_GEMM, else by adapter.
   */
  readonly gemm?: GemmKind;
}

export type GemmKind = 'tiled' | 'direct';

function gemmKindFor(option: GemmKind | undefined, software: boolean): GemmKind {
  const env = typeof process !== 'undefined' ? process.env.FLINT_WEBGPU_GEMM : undefined;
  const value = option ?? (env === undefined || env === '' ? undefined : env);
  if (value === undefined) return software ? 'direct' : 'tiled';
  if (value === 'tiled' || value === 'direct') return value;
  throw new Error(
    `@flint/backend-webgpu: GEMM variant '${value}' (FLINT_WEBGPU_GEMM / gemm option) is not 'tiled' or 'direct'.`,
  );
}

/** A compiled kernel: its pipeline and how many storage buffers it reads and writes. */
export interface Pipeline {
  readonly key: string;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  readonly inputs: number;
  readonly outputs: number;
}

export interface DeviceStats {
  /** Pipelines compiled (each kernel variant once). */
  readonly compilations: number;
  readonly cachedPipelines: number;
  readonly pipelineHits: number;
  readonly dispatches: number;
  readonly submits: number;
  readonly readbacks: number;
  readonly buffersCreated: number;
  readonly buffersReused: number;
  readonly pooledBuffers: number;
  readonly pooledBytes: number;
}

export class GpuDevice {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly description: AdapterDescription;
  /** Invocations per workgroup the kernels use. */
  readonly workgroupSize: number;
  readonly maxWorkgroupsPerDimension: number;
  readonly maxBindingBytes: number;
  readonly maxStorageBuffers: number;
  readonly workgroupStorageBytes: number;
  readonly gemmKind: GemmKind;
  /** Kept for the device's lifetime: see OpenedDevice.owner. */
  private readonly owner: unknown;
  private readonly pool: BufferPool;
  private readonly readPool: BufferPool;
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly maxBatch: number;
  private readonly uniformSlot: number;
  private readonly uniformBuffer: GPUBuffer;
  private readonly uniformHost: ArrayBuffer;
  private readonly uniformWords: Uint32Array;
  /** Bound in place of an empty tensor's (absent) buffer; never read. */
  private readonly emptyBuffer: GPUBuffer;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batch = 1;
  private batchDispatches = 0;
  private quarantine: GPUBuffer[] = [];
  private nextId = 1;
  private liveHandles = 0;
  private liveBytes = 0;
  private compilations = 0;
  private pipelineHits = 0;
  private dispatches = 0;
  private submits = 0;
  private readbacks = 0;
  private firstError: string | null = null;
  private lostReason: string | null = null;
  private destroyed = false;

  private constructor(
    opened: { device: GPUDevice; adapter: GPUAdapter; description: AdapterDescription; owner: unknown },
    options: DeviceOptions,
  ) {
    this.device = opened.device;
    this.adapter = opened.adapter;
    this.description = opened.description;
    this.owner = opened.owner;
    const limits = this.device.limits;
    this.workgroupSize = Math.min(256, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
    this.maxWorkgroupsPerDimension = limits.maxComputeWorkgroupsPerDimension;
    this.maxBindingBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    this.maxStorageBuffers = limits.maxStorageBuffersPerShaderStage;
    this.workgroupStorageBytes = limits.maxComputeWorkgroupStorageSize;
    this.maxBatch = Math.max(1, options.maxBatch ?? 128);
    this.gemmKind = gemmKindFor(options.gemm, this.description.software);
    this.uniformSlot = Math.max(PARAM_BYTES, limits.minUniformBufferOffsetAlignment);
    const usage = USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST;
    this.pool = new BufferPool(this.device, usage, options.poolBytes ?? 256 * 2 ** 20);
    this.readPool = new BufferPool(this.device, USAGE_MAP_READ | USAGE_COPY_DST, 64 * 2 ** 20);
    this.uniformHost = new ArrayBuffer(this.uniformSlot * this.maxBatch);
    this.uniformWords = new Uint32Array(this.uniformHost);
    this.uniformBuffer = this.device.createBuffer({
      size: this.uniformHost.byteLength,
      usage: USAGE_UNIFORM | USAGE_COPY_DST,
      label: 'flint params',
    });
    this.emptyBuffer = this.device.createBuffer({ size: 256, usage, label: 'flint empty' });
    this.device.addEventListener('uncapturederror', (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      if (this.firstError === null) this.firstError = error.message;
    });
    void this.device.lost.then((info) => {
      if (!this.destroyed) this.lostReason = info.message || String(info.reason);
    });
  }

  static async open(options: DeviceOptions = {}): Promise<GpuDevice> {
    return new GpuDevice(await openDevice(options), options);
  }

  /** Keeps the Dawn instance reachable from the device (see OpenedDevice.owner). */
  get dawnInstance(): unknown {
    return this.owner;
  }

  // ---- storage ----

  /** New storage for `size` elements (uninitialised). */
  alloc(size: number, dtype: DType): WebGpuStorage {
    this.checkUsable();
    const bytes = size * 4;
    if (bytes > this.maxBindingBytes) {
      throw new Error(
        `@flint/backend-webgpu: a tensor of ${size} elements (${bytes} bytes) exceeds this adapter's largest ` +
          `storage buffer binding (${this.maxBindingBytes} bytes).`,
      );
    }
    const buffer = size === 0 ? null : this.pool.acquire(bytes, `flint ${dtype}[${size}]`);
    const held = buffer === null ? 0 : sizeClass(bytes);
    this.liveHandles++;
    this.liveBytes += held;
    return { id: this.nextId++, buffer, size, bytes: held, dtype, disposed: false, lastBatch: 0 };
  }

  free(s: WebGpuStorage): void {
    if (s.disposed) return;
    s.disposed = true;
    this.liveHandles--;
    this.liveBytes -= s.bytes;
    const buffer = s.buffer;
    s.buffer = null;
    if (buffer === null || this.destroyed) return;
    if (s.lastBatch === this.batch && this.encoder !== null) this.quarantine.push(buffer);
    else this.pool.release(buffer);
  }

  /** Upload host data into new storage (bool as one u32 per element). */
  upload(data: DataArray, dtype: DType): WebGpuStorage {
    const s = this.alloc(data.length, dtype);
    if (s.buffer !== null) {
      const words = data instanceof Uint8Array ? Uint32Array.from(data, (v) => (v !== 0 ? 1 : 0)) : data;
      this.device.queue.writeBuffer(s.buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    }
    return s;
  }

  memory(): { handles: number; bytes: number } {
    return { handles: this.liveHandles, bytes: this.liveBytes };
  }

  // ---- pipelines ----

  /**
   * The pipeline for `key` (kernel name + variant: dtypes, rank, tiling; never shape values), built
   * from `source()` on first use. Bindings: `inputs` read-only storage buffers, then `outputs`
   * storage buffers, then the parameter uniform.
   */
  pipeline(key: string, inputs: number, outputs: number, source: () => string): Pipeline {
    const hit = this.pipelines.get(key);
    if (hit !== undefined) {
      this.pipelineHits++;
      return hit;
    }
    this.checkUsable();
    const layout = this.layout(inputs, outputs);
    const module = this.device.createShaderModule({ code: source(), label: key });
    const pipeline = this.device.createComputePipeline({
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
      label: key,
    });
    this.compilations++;
    const p: Pipeline = { key, pipeline, layout, inputs, outputs };
    this.pipelines.set(key, p);
    return p;
  }

  private layout(inputs: number, outputs: number): GPUBindGroupLayout {
    const key = `${inputs}/${outputs}`;
    let layout = this.layouts.get(key);
    if (layout === undefined) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      for (let i = 0; i < inputs + outputs; i++) {
        entries.push({
          binding: i,
          visibility: STAGE_COMPUTE,
          buffer: { type: i < inputs ? 'read-only-storage' : 'storage' },
        });
      }
      entries.push({ binding: inputs + outputs, visibility: STAGE_COMPUTE, buffer: { type: 'uniform' } });
      layout = this.device.createBindGroupLayout({ entries });
      this.layouts.set(key, layout);
    }
    return layout;
  }

  // ---- commands ----

  /** Record one dispatch. `params` are 32-bit words (at most PARAM_WORDS). */
  dispatch(
    p: Pipeline,
    inputs: readonly WebGpuStorage[],
    outputs: readonly WebGpuStorage[],
    params: Uint32Array,
    groups: readonly [number, number, number],
  ): void {
    this.checkUsable();
    if (inputs.length !== p.inputs || outputs.length !== p.outputs) {
      throw new Error(
        `@flint/backend-webgpu: internal error: ${p.key} takes ${p.inputs} inputs and ${p.outputs} outputs, got ${inputs.length} and ${outputs.length}.`,
      );
    }
    if (params.length > PARAM_WORDS) {
      throw new Error(`@flint/backend-webgpu: internal error: ${p.key} passes ${params.length} parameter words.`);
    }
    if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
    const slot = this.batchDispatches * this.uniformSlot;
    this.uniformWords.set(params, slot / 4);
    const entries: GPUBindGroupEntry[] = [];
    let binding = 0;
    for (const s of [...inputs, ...outputs]) {
      s.lastBatch = this.batch;
      entries.push({ binding: binding++, resource: { buffer: s.buffer ?? this.emptyBuffer } });
    }
    entries.push({ binding, resource: { buffer: this.uniformBuffer, offset: slot, size: PARAM_BYTES } });
    const bindGroup = this.device.createBindGroup({ layout: p.layout, entries });
    const pass = this.computePass();
    pass.setPipeline(p.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.dispatches++;
    this.batchDispatches++;
    if (this.batchDispatches >= this.maxBatch) this.submit();
  }

  /** Workgroup grid for `count` workgroups: x first, then y (each at most the adapter's limit). */
  grid(count: number): [number, number, number] {
    if (count === 0) return [0, 1, 1];
    const max = this.maxWorkgroupsPerDimension;
    const x = Math.min(count, max);
    const y = Math.ceil(count / x);
    if (y > max) throw new Error(`@flint/backend-webgpu: ${count} workgroups exceed the adapter's dispatch limits.`);
    return [x, y, 1];
  }

  /** Record a buffer-to-buffer copy of `words` 32-bit words. */
  copy(src: WebGpuStorage, srcWord: number, dst: WebGpuStorage, dstWord: number, words: number): void {
    this.checkUsable();
    if (words === 0 || src.buffer === null || dst.buffer === null) return;
    this.endPass();
    src.lastBatch = this.batch;
    dst.lastBatch = this.batch;
    this.commandEncoder().copyBufferToBuffer(src.buffer, srcWord * 4, dst.buffer, dstWord * 4, words * 4);
  }

  /** Record zero-filling a storage. */
  clear(s: WebGpuStorage): void {
    this.checkUsable();
    if (s.buffer === null || s.size === 0) return;
    this.endPass();
    s.lastBatch = this.batch;
    this.commandEncoder().clearBuffer(s.buffer, 0, s.size * 4);
  }

  private commandEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: `flint batch ${this.batch}` });
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    this.pass ??= this.commandEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    if (this.pass !== null) {
      this.pass.end();
      this.pass = null;
    }
  }

  /** Submit what has been recorded (the uniform arena first), and free what waited for it. */
  submit(): void {
    if (this.encoder === null) return;
    this.endPass();
    if (this.batchDispatches > 0) {
      this.device.queue.writeBuffer(
        this.uniformBuffer,
        0,
        this.uniformHost,
        0,
        this.batchDispatches * this.uniformSlot,
      );
    }
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.batchDispatches = 0;
    this.batch++;
    this.submits++;
    const waiting = this.quarantine;
    this.quarantine = [];
    for (const b of waiting) this.pool.release(b);
  }

  /** Read a storage back: copy into a mappable buffer, submit, map. */
  async read(s: WebGpuStorage): Promise<DataArray> {
    this.checkUsable();
    if (s.disposed) throw new Error('@flint/backend-webgpu: read of a disposed tensor.');
    const out = s.dtype === 'float32' ? new Float32Array(s.size) : s.dtype === 'int32' ? new Int32Array(s.size) : null;
    if (s.size === 0 || s.buffer === null) return out ?? new Uint8Array(0);
    const bytes = s.size * 4;
    const staging = this.readPool.acquire(bytes, 'flint readback');
    this.endPass();
    s.lastBatch = this.batch;
    this.commandEncoder().copyBufferToBuffer(s.buffer, 0, staging, 0, bytes);
    this.submit();
    this.readbacks++;
    try {
      await staging.mapAsync(MAP_READ, 0, bytes);
    } catch (error) {
      this.checkUsable();
      throw error;
    }
    const mapped = staging.getMappedRange(0, bytes);
    let result: DataArray;
    if (out !== null) {
      new Uint32Array(out.buffer).set(new Uint32Array(mapped));
      result = out;
    } else {
      const words = new Uint32Array(mapped);
      const bools = new Uint8Array(s.size);
      for (let i = 0; i < s.size; i++) bools[i] = words[i]! !== 0 ? 1 : 0;
      result = bools;
    }
    staging.unmap();
    this.readPool.release(staging);
    this.checkUsable();
    return result;
  }

  /** Throws the device's first validation error or its loss, if any. */
  checkUsable(): void {
    if (this.destroyed) throw new Error('@flint/backend-webgpu: the backend was destroyed.');
    if (this.lostReason !== null)
      throw new Error(`@flint/backend-webgpu: the WebGPU device was lost: ${this.lostReason}`);
    if (this.firstError !== null) {
      throw new Error(`@flint/backend-webgpu: WebGPU reported an error (a bug in this backend): ${this.firstError}`);
    }
  }

  stats(): DeviceStats {
    return {
      compilations: this.compilations,
      cachedPipelines: this.pipelines.size,
      pipelineHits: this.pipelineHits,
      dispatches: this.dispatches,
      submits: this.submits,
      readbacks: this.readbacks,
      buffersCreated: this.pool.created,
      buffersReused: this.pool.reused,
      pooledBuffers: this.pool.freeBuffers,
      pooledBytes: this.pool.freeBytes,
    };
  }

  /** Wait until the GPU finished everything submitted so far (benchmarks). */
  async finish(): Promise<void> {
    this.submit();
    await this.device.queue.onSubmittedWorkDone();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.submit();
    this.destroyed = true;
    this.pool.clear();
    this.readPool.clear();
    this.device.destroy();
  }
}
