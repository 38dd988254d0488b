/** createGpujsBackend: the Backend object over one gpu.js context. */
import type { Backend, Kernels } from '@flint/core/backend';
import { GpuContext, type GpujsBackendOptions } from './context.js';
import type { GpujsEngine } from './engine.js';
import * as k from './kernel-list.js';
import type { GpuStorage } from './storage.js';

export interface GpujsBackend extends Backend<GpuStorage> {
  /** The engine gpu.js really built kernels for. */
  engine(): GpujsEngine;
  /** The GL renderer string, where the engine is GL and the driver tells. */
  renderer(): string | null;
  /** Compiled-kernel cache and transfer counters (for tests and profiling). */
  stats(): { compilations: number; cachedKernels: number; cacheHits: number; evictions: number; readbacks: number };
  readonly context: GpuContext;
  /** Free every compiled kernel and the GL context. The backend is unusable afterwards. */
  destroy(): void;
}

export function createKernels(ctx: GpuContext) {
  return {
    write: k.write(ctx),
    read: k.read(ctx),
    readSync: k.readSync(ctx),
    dispose: k.dispose(ctx),
    fill: k.fill(ctx),
    copy: k.copy(ctx),
    neg: k.neg(ctx),
    abs: k.abs(ctx),
    sign: k.sign(ctx),
    exp: k.exp(ctx),
    log: k.log(ctx),
    sqrt: k.sqrt(ctx),
    rsqrt: k.rsqrt(ctx),
    reciprocal: k.reciprocal(ctx),
    square: k.square(ctx),
    sin: k.sin(ctx),
    cos: k.cos(ctx),
    tanh: k.tanh(ctx),
    sigmoid: k.sigmoid(ctx),
    relu: k.relu(ctx),
    leakyRelu: k.leakyRelu(ctx),
    gelu: k.gelu(ctx),
    erf: k.erf(ctx),
    floor: k.floor(ctx),
    ceil: k.ceil(ctx),
    round: k.round(ctx),
    log1p: k.log1p(ctx),
    expm1: k.expm1(ctx),
    add: k.add(ctx),
    sub: k.sub(ctx),
    div: k.div(ctx),
    mul: k.mul(ctx),
    pow: k.pow(ctx),
    maximum: k.maximum(ctx),
    minimum: k.minimum(ctx),
    eq: k.eq(ctx),
    ne: k.ne(ctx),
    lt: k.lt(ctx),
    le: k.le(ctx),
    gt: k.gt(ctx),
    ge: k.ge(ctx),
    where: k.where(ctx),
    sum: k.sum(ctx),
    max: k.max(ctx),
    min: k.min(ctx),
    prod: k.prod(ctx),
    argmax: k.argmax(ctx),
    argmin: k.argmin(ctx),
    matmul: k.matmul(ctx),
    permute: k.permute(ctx),
    slice: k.slice(ctx),
    pad: k.pad(ctx),
    concat: k.concat(ctx),
    expand: k.expand(ctx),
    cast: k.cast(ctx),
    oneHot: k.oneHot(ctx),
    gather: k.gather(ctx),
    scatterAdd: k.scatterAdd(ctx),
    indexSelect: k.indexSelect(ctx),
    conv2d: k.conv2d(ctx),
    conv2dBackwardInput: k.conv2dBackwardInput(ctx),
    conv2dBackwardWeight: k.conv2dBackwardWeight(ctx),
    maxPool2d: k.maxPool2d(ctx),
    maxPool2dBackward: k.maxPool2dBackward(ctx),
    avgPool2d: k.avgPool2d(ctx),
    avgPool2dBackward: k.avgPool2dBackward(ctx),
  } satisfies Kernels<GpuStorage>;
}

/**
 * A gpu.js backend. Options (or FLINT_GPUJS_MODE) force a mode; by default it runs on headless-gl
 * when a GL context can be made, else on gpu.js's webasm mode (with one console warning).
 */
export function createGpujsBackend(options: GpujsBackendOptions = {}): GpujsBackend {
  const ctx = new GpuContext(options);
  const kernels = createKernels(ctx);
  return {
    name: 'gpujs',
    packageName: '@flint/backend-gpujs',
    kernels,
    context: ctx,
    async init() {},
    engine: () => ctx.engine,
    renderer: () => ctx.renderer,
    priority: () => (ctx.onDevice ? 80 : 10),
    memory: () => ctx.memory(),
    stats: () => ({
      compilations: ctx.cache.compilations,
      cachedKernels: ctx.cache.size,
      cacheHits: ctx.cache.hits,
      evictions: ctx.cache.evictions,
      readbacks: ctx.readbacks,
    }),
    destroy: () => ctx.destroy(),
  };
}
