/**
 * Finding a WebGPU adapter and opening a device: `navigator.gpu` in browsers, the `webgpu` package
 * (Dawn) in Node. In Node without a GPU the adapter is Mesa's llvmpipe through Dawn's OpenGL backend,
 * which Dawn offers only in compatibility mode.
 */
// The type import makes @webgpu/types' global GPU* declarations visible (the package re-exports them).
import type { create as createDawn } from 'webgpu';

/** Which Dawn backend to ask for in Node. 'auto': the platform's native API, then OpenGL. */
export type DawnBackend = 'auto' | 'native' | 'opengl' | 'vulkan';

export interface AdapterOptions {
  /** A GPU object to use instead of discovering one (e.g. `navigator.gpu`, or a `create([...])` of your own). */
  readonly gpu?: GPU;
  /** Node only; default FLINT_WEBGPU_BACKEND, else 'auto'. */
  readonly dawnBackend?: DawnBackend;
  readonly powerPreference?: GPUPowerPreference;
}

/** What the backend reports about the adapter it runs on. */
export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
  /** A CPU implementation (llvmpipe, SwiftShader, lavapipe, WARP) or a fallback adapter. */
  readonly software: boolean;
  /** 'core' or 'compatibility'. */
  readonly featureLevel: 'core' | 'compatibility';
  /** How the adapter was reached: 'navigator.gpu', 'dawn', 'dawn-opengl', 'dawn-vulkan', 'dawn-swiftshader' or 'provided'. */
  readonly via: string;
}

export interface OpenedDevice {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly description: AdapterDescription;
  /**
   * The object `create()` returned (Node): Dawn aborts or hangs when it is garbage-collected while a
   * device is alive, so the backend keeps this reference for the device's lifetime.
   */
  readonly owner: unknown;
}

const SOFTWARE = /llvmpipe|softpipe|lavapipe|swiftshader|warp|microsoft basic render/i;

/** Dawn's `create()` results stay referenced for the life of the process (see OpenedDevice.owner). */
const dawnInstances: unknown[] = [];

function describeAdapter(adapter: GPUAdapter, featureLevel: 'core' | 'compatibility', via: string): AdapterDescription {
  const info = adapter.info;
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  // isFallbackAdapter moved from GPUAdapter to GPUAdapterInfo; read whichever the implementation has.
  const legacy = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const isFallbackAdapter = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? legacy ?? false;
  const software = isFallbackAdapter || SOFTWARE.test(`${vendor} ${architecture} ${device} ${description}`);
  return { vendor, architecture, device, description, isFallbackAdapter, software, featureLevel, via };
}

function envBackend(): DawnBackend | undefined {
  const value = typeof process !== 'undefined' ? process.env.FLINT_WEBGPU_BACKEND : undefined;
  if (value === undefined || value === '') return undefined;
  if (value === 'auto' || value === 'native' || value === 'opengl' || value === 'vulkan') return value;
  throw new Error(`@flint/backend-webgpu: FLINT_WEBGPU_BACKEND='${value}' is not one of auto, native, opengl, vulkan.`);
}

// A variable specifier, so that browser bundlers do not try to bundle Dawn's native addon.
const DAWN_PACKAGE = 'webgpu';

async function loadDawn(): Promise<typeof createDawn> {
  try {
    const mod = (await import(/* @vite-ignore */ DAWN_PACKAGE)) as { create: typeof createDawn };
    return mod.create;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `@flint/backend-webgpu: no navigator.gpu here and the 'webgpu' package (Dawn for Node) did not load: ${why}`,
    );
  }
}

interface Candidate {
  readonly flags: string[];
  readonly featureLevel: 'core' | 'compatibility';
  readonly via: string;
  /** Vulkan ICD manifest to point the loader at while this candidate's instance is created. */
  readonly icd?: string;
}

/**
 * Which library made a GL context in this process, keyed process-wide so that separately installed
 * packages see each other without importing each other. Under an X display, Mesa refuses a second
 * GL stack in one process: Dawn's EGL context next to headless-gl's GLX one fails with EGL_BAD_ACCESS,
 * and the other order kills the process with an X BadAccess error.
 */
const NATIVE_GL = Symbol.for('@flint/native-gl');

function nativeGlOwner(): string | undefined {
  return (globalThis as Record<symbol, string | undefined>)[NATIVE_GL];
}

function claimNativeGl(owner: string): void {
  (globalThis as Record<symbol, string | undefined>)[NATIVE_GL] ??= owner;
}

function underXDisplay(): boolean {
  return typeof process !== 'undefined' && (process.env.DISPLAY ?? '') !== '';
}

/** Chromium's SwiftShader Vulkan ICD, when Chromium is installed and the user has not chosen ICDs. */
const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json'];

function swiftShaderIcd(): string | undefined {
  if (typeof process === 'undefined' || process.env.VK_ICD_FILENAMES !== undefined) return undefined;
  const fs = process.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  return SWIFTSHADER_ICDS.find((path) => fs?.existsSync(path) === true);
}

/** Run `fn` with VK_ICD_FILENAMES set: the Vulkan loader reads it when Dawn discovers adapters. */
async function withIcd<T>(icd: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (icd === undefined) return fn();
  const before = process.env.VK_ICD_FILENAMES;
  process.env.VK_ICD_FILENAMES = icd;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.VK_ICD_FILENAMES;
    else process.env.VK_ICD_FILENAMES = before;
  }
}

function candidatesFor(backend: DawnBackend): Candidate[] {
  const native: Candidate = { flags: [], featureLevel: 'core', via: 'dawn' };
  const vulkan: Candidate = { flags: ['backend=vulkan'], featureLevel: 'core', via: 'dawn-vulkan' };
  // Dawn's OpenGL backend only offers compatibility-mode adapters.
  const opengl: Candidate = { flags: ['backend=opengl'], featureLevel: 'compatibility', via: 'dawn-opengl' };
  switch (backend) {
    case 'native':
      return [native];
    case 'vulkan':
      return [vulkan];
    case 'opengl':
      return [opengl];
    case 'auto': {
      // GL is the faster software path (dispatch ~10 us against SwiftShader's ~200 us), unless
      // headless-gl already holds GL under an X display; SwiftShader's Vulkan needs no GL.
      const glTaken = nativeGlOwner() === 'headless-gl' && underXDisplay();
      const icd = swiftShaderIcd();
      const swiftshader: Candidate[] =
        icd === undefined ? [] : [{ flags: ['backend=vulkan'], featureLevel: 'core', via: 'dawn-swiftshader', icd }];
      return glTaken ? [native, ...swiftshader] : [native, opengl, ...swiftshader];
    }
  }
}

async function requestFrom(
  gpu: GPU,
  featureLevel: 'core' | 'compatibility',
  powerPreference: GPUPowerPreference | undefined,
): Promise<GPUAdapter | null> {
  const options: GPURequestAdapterOptions & { featureLevel?: string } = { featureLevel };
  if (powerPreference !== undefined) options.powerPreference = powerPreference;
  let adapter = await gpu.requestAdapter(options);
  // A browser without compatibility mode may refuse the option; core adapters also serve compute.
  if (adapter === null && featureLevel === 'compatibility') adapter = await gpu.requestAdapter();
  return adapter;
}

async function findAdapter(
  options: AdapterOptions,
): Promise<{ adapter: GPUAdapter; featureLevel: 'core' | 'compatibility'; via: string; owner: unknown }> {
  const navigatorGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  const given = options.gpu ?? navigatorGpu;
  if (given !== undefined) {
    const via = options.gpu !== undefined ? 'provided' : 'navigator.gpu';
    const core = await given.requestAdapter(
      options.powerPreference !== undefined ? { powerPreference: options.powerPreference } : {},
    );
    if (core !== null) return { adapter: core, featureLevel: 'core', via, owner: given };
    const compat = await requestFrom(given, 'compatibility', options.powerPreference);
    if (compat !== null) return { adapter: compat, featureLevel: 'compatibility', via, owner: given };
    throw new Error(`@flint/backend-webgpu: ${via} offered no WebGPU adapter.`);
  }
  const create = await loadDawn();
  const backend = options.dawnBackend ?? envBackend() ?? 'auto';
  const tried: string[] = [];
  for (const c of candidatesFor(backend)) {
    if (c.via === 'dawn-opengl' && typeof process !== 'undefined' && process.env.EGL_PLATFORM === undefined) {
      // Without a display, Mesa's EGL needs the surfaceless platform, else eglInitialize fails.
      process.env.EGL_PLATFORM = 'surfaceless';
    }
    const gpu = create(c.flags);
    dawnInstances.push(gpu);
    const adapter = await withIcd(c.icd, () => requestFrom(gpu, c.featureLevel, options.powerPreference));
    if (adapter !== null) {
      if (c.via === 'dawn-opengl') claimNativeGl('dawn-opengl');
      return { adapter, featureLevel: c.featureLevel, via: c.via, owner: gpu };
    }
    tried.push(
      c.icd !== undefined ? `SwiftShader (${c.icd})` : c.flags.length > 0 ? c.flags.join(' ') : 'the platform default',
    );
  }
  if (backend !== 'vulkan' && nativeGlOwner() === 'headless-gl' && underXDisplay()) {
    throw new Error(
      `@flint/backend-webgpu: Dawn found no adapter (tried ${tried.join(', ')}). Its OpenGL adapter cannot work here: ` +
        `headless-gl (@flint/backend-gpujs) holds GL under the X display and Mesa allows one GL stack per process. ` +
        `Install Chromium (apt-get install chromium libvulkan1) for the SwiftShader Vulkan adapter, or run without a display.`,
    );
  }
  throw new Error(
    `@flint/backend-webgpu: Dawn found no adapter (tried ${tried.join(', ')}). Without a GPU, install Mesa ` +
      `(apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri) for the OpenGL llvmpipe adapter.`,
  );
}

/** Limits asked of the device: the adapter's own (compatibility devices otherwise get low defaults). */
const WANTED_LIMITS = [
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxUniformBufferBindingSize',
] as const;

export async function openDevice(options: AdapterOptions = {}): Promise<OpenedDevice> {
  const { adapter, featureLevel, via, owner } = await findAdapter(options);
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const device = await adapter.requestDevice({ requiredLimits });
  return { device, adapter, description: describeAdapter(adapter, featureLevel, via), owner };
}
