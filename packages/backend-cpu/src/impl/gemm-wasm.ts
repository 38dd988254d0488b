/**
 * Float32 GEMM on WebAssembly SIMD: C (+)= A @ B, the same interface as the JavaScript `gemmJs`.
 *
 * The kernel is hand-written WebAssembly text (src/wasm/gemm.wat: Goto/BLIS blocking, A packed
 * into 4-row and B into 8-column micro-panels, a 4x8 f32x4 micro-kernel); its assembled bytes are
 * embedded in src/wasm/gemm-bytes.ts and compiled synchronously when this module is imported.
 *
 * On one thread the module runs in the storage heap's memory (heap.ts): an operand that is a heap
 * array (or a view into one) is passed by address, and C in the heap is written in place (float32
 * C) or widened from and narrowed into (float64 C); the packing scratch, C's float64 space and
 * the copies of other operands live in one heap block, replaced by a larger one when a call needs
 * more. Without a heap, and for calls split over two threads (a shared memory the worker can
 * use), the module has a memory of its own, grown on demand and never shrunk. An operand outside
 * that memory is copied in: the span of A and of B that the views touch (a memcpy each; packing
 * then happens inside the module), C when accumulating, and C out after. An operand that a live
 * CpuStorage wraps and that is read a third time at the same contents version stays resident
 * there instead (see RESIDENT_BYTES), so inference stops copying its weights every call. Strides are passed through,
 * so transposed operands cost nothing extra. Steady state allocates no buffers on the JS side.
 *
 * Precision: the micro-kernel multiplies and sums in float32 over chunks of 32 k steps and adds
 * each chunk into C, which lives in wasm memory as float64 (widened on the way in, rounded once on
 * the way out). A long reduction therefore costs at most 32 steps' float32 rounding, ~5e-7
 * relative for same-sign terms, instead of growing with K (one float32 sum over K = 1e6 is off by
 * ~1e-4).
 */
import { gemmWasmBase64 } from '../wasm/gemm-bytes.js';
import { gemmFmaWasmBase64 } from '../wasm/gemm-fma-bytes.js';
import { gemmFmaSharedWasmBase64 } from '../wasm/gemm-fma-shared-bytes.js';
import { gemmSharedWasmBase64 } from '../wasm/gemm-shared-bytes.js';
import { arrayVersion, VERSIONED_MIN_LENGTH } from '../storage.js';
import type { MatrixView } from './gemm-js.js';
import { type Heap, heap as storageHeap } from './heap.js';
import {
  chooseSplit,
  jobArgs,
  mayUseThreads,
  onThreadsOff,
  post,
  settle,
  startWorker,
  threadsUnsupported,
  WorkerLost,
  workerStarted,
} from './gemm-threads.js';
import { ARGS } from './gemm-worker.js';

/**
 * The slice of the WebAssembly JS API used here, typed locally: the package compiles against
 * lib ES2022 (no DOM typings), and a global declaration could clash with a consumer's DOM lib.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
interface WasmGlobal {
  value: number;
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
/** Maximum pages of the shared memory: 2 GiB, MAX_BYTES (scripts/wasm.ts declares the same). */
const SHARED_MAX_PAGES = 32768;

/** A tiny module using a v128 instruction (i8x16.splat + i8x16.popcnt): validates iff SIMD does. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** Whether this engine validates WebAssembly SIMD (false where WebAssembly is missing altogether). */
export function detectWasmSimd(): boolean {
  try {
    return WA?.validate(SIMD_PROBE) ?? false;
  } catch {
    return false;
  }
}

type GemmExport = (
  M: number,
  N: number,
  K: number,
  a: number,
  ars: number,
  acs: number,
  b: number,
  brs: number,
  bcs: number,
  c: number,
  ldc: number,
  pA: number,
  pB: number,
  tile: number,
  MC: number,
  KC: number,
  NC: number,
  acc: number,
  cF32: number,
) => void;

/** C (float64) += A B for M < 4 rows of A stored contiguously, B read in place through one stride. */
type GemvExport = (
  M: number,
  N: number,
  K: number,
  a: number,
  b: number,
  bStride: number,
  c: number,
  ldc: number,
) => void;

/** In-place conversion of `n` elements of C at byte address `p` (float64 <-> float32). */
type ConvertExport = (p: number, n: number) => void;
/** Conversion of `n` elements of C from byte address `src` to `dst` (float64 <-> float32). */
type ConvertBetweenExport = (src: number, dst: number, n: number) => void;

/**
 * One memory and the modules instantiated on it. The one-thread path runs in the storage heap's
 * (non-shared) memory, or a plain one of its own without a heap; the two-thread split in a shared
 * one (created with the worker), since V8 copies typed arrays into and out of a
 * SharedArrayBuffer markedly slower (a relaxed-atomic copy instead of memcpy). Each keeps its
 * own resident operands.
 */
interface Context {
  memory: WasmMemory;
  /** The memory as float32 (replaced when it grows). */
  heap: Float32Array;
  gemm: GemmExport;
  narrow: ConvertExport;
  widen: ConvertExport;
  narrowInto: ConvertBetweenExport;
  widenFrom: ConvertBetweenExport;
  gemvDot: GemvExport;
  gemvAxpy: GemvExport;
  /** 1: micro-tiles run gemm-fma.wat's relaxed-SIMD FMA kernel; 0: gemm.wat's mul + add one. */
  fma: WasmGlobal;
  /** Whether the FMA kernel loaded (the engine validates relaxed SIMD). */
  hasFma: boolean;
  /** The compiled modules, which a worker instantiates on the same (shared) memory. */
  modules: { gemm: object; fma: object | null };
  residents: WeakMap<Float32Array, Resident>;
  /** End of the resident region's bump allocation. */
  residentTop: number;
  /** Bumped when the resident region is dropped whole (older slots are stale). */
  generation: number;
  /**
   * The storage heap when this context runs in its memory (the one-thread path, where heap.ts
   * reserved one): operands that are heap arrays are read and written at their own addresses,
   * and the context's layout below lives in one heap block at `origin`. Null: the context owns
   * its memory and the layout starts at byte 0.
   */
  storage: Heap | null;
  /** Byte address of the layout (the heap block's start; 0 in an own memory; -1: no block yet). */
  origin: number;
  /** Bytes of the heap block at `origin` (0 in an own memory, which grows instead). */
  blockBytes: number;
}

// Memory layout, from the context's origin: bytes [0, 256) are the 4x8 float64 edge tile,
// [256, 512) the worker's (shared memory), then the resident operands (below), then each call's
// scratch: the packed A block and B panel, the A and B spans neither resident nor in the storage
// heap (float32), C (float64; float32 when K fits two 32-step chunks, unless C is written in place
// in the heap) and, for a split call, the worker's packed A block and B panel.
const TILE = 0;
const WORKER_TILE = 256;
const RESIDENT_BASE = 512;

interface Resident {
  ptr: number;
  version: number;
  generation: number;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Stands in for the FMA kernel where relaxed SIMD is missing; the fma flag keeps it uncalled. */
function noFmaKernel(): never {
  throw new Error('the relaxed-SIMD GEMM kernel is not loaded');
}

/**
 * gemm-fma.wat (the micro-kernel with f32x4.relaxed_madd) is instantiated first where the engine
 * validates it (relaxed SIMD: Node 22+ by default, Node 20 only behind a flag) and handed to
 * gemm.wat, which runs it instead of its own mul + add kernel; both share one memory. Throws
 * where the engine cannot (the shared variant needs the threads feature).
 */
function instantiate(memory: WasmMemory, gemmBase64: string, fmaBase64: string, storage: Heap | null = null): Context {
  const api = WA as WasmApi;
  const fmaBytes = decodeBase64(fmaBase64);
  let kernelFma: unknown = noFmaKernel;
  let fmaModule: object | null = null;
  try {
    if (api.validate(fmaBytes)) {
      const m = new api.Module(fmaBytes);
      kernelFma = new api.Instance(m, { env: { memory } }).exports.kernel;
      fmaModule = m;
    }
  } catch {
    // an engine that validates but cannot instantiate it keeps the mul + add kernel
  }
  const module = new api.Module(decodeBase64(gemmBase64));
  const exports = new api.Instance(module, { env: { memory, kernel_fma: kernelFma } }).exports;
  const fma = exports.fma as WasmGlobal;
  const hasFma = fmaModule !== null;
  fma.value = hasFma ? 1 : 0;
  return {
    memory,
    heap: new Float32Array(memory.buffer),
    gemm: exports.gemm as GemmExport,
    narrow: exports.narrow as ConvertExport,
    widen: exports.widen as ConvertExport,
    narrowInto: exports.narrow_into as ConvertBetweenExport,
    widenFrom: exports.widen_from as ConvertBetweenExport,
    gemvDot: exports.gemv_dot as GemvExport,
    gemvAxpy: exports.gemv_axpy as GemvExport,
    fma,
    hasFma,
    modules: { gemm: module, fma: fmaModule },
    residents: new WeakMap(),
    residentTop: storage === null ? RESIDENT_BASE : -1,
    generation: 0,
    storage,
    origin: storage === null ? 0 : -1,
    blockBytes: 0,
  };
}

/** A context in a memory of its own, or in the storage heap's memory when `storage` is given. */
function instantiatePlain(storage: Heap | null): Context | null {
  if (WA === undefined || !detectWasmSimd()) return null;
  try {
    const memory = storage === null ? new WA.Memory({ initial: 1 }) : storage.memory;
    return instantiate(memory, gemmWasmBase64, gemmFmaWasmBase64, storage);
  } catch {
    return null;
  }
}

/**
 * The one-thread context; null where WebAssembly SIMD is missing. It runs in the storage heap's
 * memory where heap.ts reserved one, so heap operands cross without a copy.
 */
const instance = instantiatePlain(storageHeap) ?? (storageHeap === null ? null : instantiatePlain(null));
/** A context in its own memory for calls whose scratch the full storage heap cannot take (made then). */
let ownMemoryContext: Context | null = null;
/** The two-thread context, made with the worker on the first call that may split. */
let sharedContext: Context | null = null;
/** Set when shared memory cannot be made here: never tried again. */
let sharedFailed = false;

onThreadsOff(() => {
  // a stalled worker may still write into the shared memory: it is never read again
  sharedContext = null;
});

/** The shared-memory context with its worker started, or null where it cannot be made. */
function sharedWithWorker(): Context | null {
  if (sharedContext !== null) return sharedContext;
  if (sharedFailed || instance === null) return null;
  try {
    const memory = new (WA as WasmApi).Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
    const ctx = instantiate(memory, gemmSharedWasmBase64, gemmFmaSharedWasmBase64);
    ctx.fma.value = instance.fma.value;
    startWorker(memory, ctx.modules.gemm, ctx.hasFma ? ctx.modules.fma : null);
    if (!workerStarted()) return null;
    sharedContext = ctx;
    return ctx;
  } catch (e) {
    sharedFailed = true;
    threadsUnsupported(`no shared WebAssembly memory in this engine (${String(e)})`);
    return null;
  }
}

/** Whether the WebAssembly SIMD GEMM loaded in this engine (`gemmWasm` throws otherwise). */
export const wasmSimdAvailable: boolean = instance !== null;

/** Whether the relaxed-SIMD FMA micro-kernel loaded (the engine validates relaxed SIMD). */
export const wasmFmaAvailable: boolean = instance?.hasFma ?? false;

/**
 * Run the micro-tiles on the FMA kernel (the default where it loaded) or on the mul + add one
 * (benchmarks, tests); returns the previous setting. Throws for `true` where it did not load.
 */
export function setWasmGemmFma(on: boolean): boolean {
  if (instance === null) throw new Error('WebAssembly SIMD is not available in this engine');
  if (on && !instance.hasFma) throw new Error('relaxed SIMD (f32x4.relaxed_madd) is not available in this engine');
  const prev = instance.fma.value === 1;
  instance.fma.value = on ? 1 : 0;
  if (sharedContext !== null) sharedContext.fma.value = instance.fma.value;
  if (ownMemoryContext !== null) ownMemoryContext.fma.value = instance.fma.value;
  return prev;
}

/** Cache blocking (elements): MC rows of A (multiple of 4), KC deep, NC columns of B (multiple of 8). */
const blocking = { MC: 64, KC: 256, NC: 2048 };

/** Tune the cache blocking (benchmarks, tests); returns the previous setting. */
export function setWasmGemmBlocking(next: { MC?: number; KC?: number; NC?: number }): {
  MC: number;
  KC: number;
  NC: number;
} {
  const prev = { ...blocking };
  const MC = next.MC ?? blocking.MC;
  const KC = next.KC ?? blocking.KC;
  const NC = next.NC ?? blocking.NC;
  if (!(MC >= 4 && MC % 4 === 0 && KC >= 1 && NC >= 8 && NC % 8 === 0))
    throw new Error(`bad GEMM blocking ${MC}/${KC}/${NC}`);
  Object.assign(blocking, { MC, KC, NC });
  return prev;
}

/**
 * Resident operands: an A or B outside the context's memory whose array a live CpuStorage wraps
 * (a weight during inference, where there is no storage heap or it was full) is copied whole
 * into wasm memory on its third read at one contents version and reused by later
 * calls while that version (storage.ts: fresh per storage and per in-place write, gone at
 * disposal) is unchanged, instead of being copied in every call. Kernel scratch and
 * outputs under construction have no version and are copied per call as before. The region is a
 * bump allocation of at most RESIDENT_BYTES; when full it is dropped whole (a new generation)
 * and refilled.
 */
const RESIDENT_BYTES = 32 * 2 ** 20;
/** Arrays shorter than this are copied per call (storage.ts gives them no version). */
const RESIDENT_MIN = VERSIONED_MIN_LENGTH;

/**
 * Calls that read each array at its current version: only an operand read a third time unchanged
 * is made resident. A training step reads each weight and activation twice per version (forward,
 * backward) before it changes; keeping those would cycle fresh memory through the region every
 * step (measured 0.82x on the mlp step), while inference reads the same weights every call.
 */
const sightings = new WeakMap<Float32Array, { version: number; count: number }>();

/** Version of `data` when it should be resident (and is not the destination), else undefined. */
function residentVersion(data: Float32Array, c: Float32Array): number | undefined {
  if (data === c || data.length < RESIDENT_MIN || data.length * 4 > RESIDENT_BYTES / 2) return undefined;
  const version = arrayVersion(data);
  if (version === undefined) return undefined;
  const seen = sightings.get(data);
  if (seen === undefined) sightings.set(data, { version, count: 1 });
  else if (seen.version !== version) {
    seen.version = version;
    seen.count = 1;
  } else if (seen.count < 3) seen.count++;
  return seen !== undefined && seen.version === version && seen.count >= 3 ? version : undefined;
}

/** A current resident copy's address, or -1 (none yet, stale, or from an older generation). */
function residentHit(ctx: Context, data: Float32Array, version: number | undefined): number {
  if (version === undefined) return -1;
  const r = ctx.residents.get(data);
  return r !== undefined && r.generation === ctx.generation && r.version === version ? r.ptr : -1;
}

/**
 * Byte address for a resident copy of `data` still to be made (its old slot when it had one in
 * this generation, else a new one); the caller copies it there once memory is reserved.
 */
function residentSlot(ctx: Context, data: Float32Array, version: number): number {
  const r = ctx.residents.get(data);
  if (r !== undefined && r.generation === ctx.generation) {
    r.version = version;
    return r.ptr;
  }
  const ptr = ctx.residentTop;
  ctx.residentTop = align16(ctx.residentTop + data.length * 4);
  ctx.residents.set(data, { ptr, version, generation: ctx.generation });
  return ptr;
}

/** Bytes `data` would add to the resident region if it missed now. */
function residentNeed(ctx: Context, data: Float32Array, version: number | undefined): number {
  if (version === undefined || residentHit(ctx, data, version) >= 0) return 0;
  const r = ctx.residents.get(data);
  return r !== undefined && r.generation === ctx.generation ? 0 : align16(data.length * 4);
}

/** Drop every resident copy when `need` more bytes would overflow the region. */
function makeRoom(ctx: Context, need: number): void {
  if (ctx.residentTop + need <= ctx.origin + RESIDENT_BASE + RESIDENT_BYTES) return;
  dropResidents(ctx);
}

function dropResidents(ctx: Context): void {
  ctx.generation++;
  ctx.residentTop = ctx.origin + RESIDENT_BASE;
}

/** Forget any resident copy of an array this call writes (C) in any memory: it would be stale. */
function wrote(c: Float32Array): void {
  instance?.residents.delete(c);
  sharedContext?.residents.delete(c);
  ownMemoryContext?.residents.delete(c);
}

/**
 * Make a heap-backed context's block at least `bytes` from its origin (a no-op for a context in
 * its own memory, which `reserve` grows). A larger block is taken once (1.5x the old one, so a
 * slowly growing shape does not reallocate every call) and the resident copies, which lived in
 * the old one, are dropped. False when the heap cannot give it (the caller then runs the call in
 * a context of its own memory).
 */
function ensureBlock(ctx: Context, bytes: number): boolean {
  const h = ctx.storage;
  if (h === null || bytes <= ctx.blockBytes) return true;
  if (ctx.origin >= 0) h.free(ctx.origin);
  let size = Math.max(bytes, Math.ceil(ctx.blockBytes * 1.5), 65536);
  let start = h.alloc(size);
  if (start < 0 && size > bytes) {
    size = bytes;
    start = h.alloc(size);
  }
  ctx.origin = start;
  ctx.blockBytes = start < 0 ? 0 : size;
  if (start < 0) return false;
  dropResidents(ctx);
  return true;
}

/** Resident bytes A and B would add (B counted once when it is A's array). */
function residentsNeed(
  ctx: Context,
  aData: Float32Array,
  aVersion: number | undefined,
  bData: Float32Array,
  bVersion: number | undefined,
): number {
  return residentNeed(ctx, aData, aVersion) + (bData === aData ? 0 : residentNeed(ctx, bData, bVersion));
}

/**
 * Make a heap-backed context's block hold the layout: the residents so far, those A and B add,
 * then `scratch` bytes. A new block drops the residents (they lived in the old one), so their
 * bytes are counted again then. False when the heap cannot give it.
 */
function fitBlock(
  ctx: Context,
  aData: Float32Array,
  aVersion: number | undefined,
  bData: Float32Array,
  bVersion: number | undefined,
  scratch: number,
): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    const used = ctx.origin < 0 ? RESIDENT_BASE : ctx.residentTop - ctx.origin;
    const need = used + residentsNeed(ctx, aData, aVersion, bData, bVersion) + scratch;
    if (need <= ctx.blockBytes) return true;
    if (!ensureBlock(ctx, need)) return false;
  }
  return true;
}

/** Whether `data` lies in `ctx`'s memory as a storage-heap array (read and written in place). */
const inHeap = (ctx: Context, data: Float32Array): boolean => ctx.storage?.holds(data) === true;

/** The context for a one-thread call that `instance`'s heap block cannot take: one in its own memory. */
function ownMemory(): Context {
  if (ownMemoryContext === null) {
    const ctx = instantiatePlain(null);
    if (ctx === null) throw new Error('the WebAssembly GEMM could not be instantiated in a memory of its own');
    ctx.fma.value = (instance as Context).fma.value;
    ownMemoryContext = ctx;
  }
  return ownMemoryContext;
}

const align16 = (n: number): number => (n + 15) & ~15;

/** Elements spanned by a rows x cols view with non-negative strides. */
const span = (rows: number, cols: number, v: MatrixView): number => (rows - 1) * v.rs + (cols - 1) * v.cs + 1;

/** 2 GiB: the JS side keeps every call's working set below 2^31 (i32 address arithmetic). */
const MAX_BYTES = 2 ** 31;

/**
 * C[cOff + i*ldc + j] (+)= sum_k A(i,k) * B(k,j) for i < M, j < N, with A and B read through
 * their (row, column) strides. With `accumulate` false the destination block is overwritten.
 * Returns false (doing nothing) when the call cannot run in wasm memory: negative strides or a
 * working set over 2 GiB; the caller then uses gemmJs. A call large enough may run on two
 * threads (gemm-threads.ts); the result is the same bit for bit.
 */
export function gemmWasm(
  M: number,
  N: number,
  K: number,
  a: MatrixView,
  b: MatrixView,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): boolean {
  if (instance === null) throw new Error('WebAssembly SIMD is not available in this engine');
  if (M === 0 || N === 0) return true;
  if (K === 0) {
    if (!accumulate) for (let i = 0; i < M; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    return true;
  }
  if (a.rs < 0 || a.cs < 0 || b.rs < 0 || b.cs < 0) return false;
  if (M < GEMV_ROWS && (b.rs === 1 || b.cs === 1)) return gemv(instance, M, N, K, a, b, c, cOff, ldc, accumulate);
  const mnk = M * N * K;
  if (!mayUseThreads(mnk)) return packed(instance, 0, M, N, K, a, b, c, cOff, ldc, accumulate);
  const shared = sharedWithWorker();
  const split = shared === null ? 0 : chooseSplit(M, N);
  return runPacked(shared, split, M, N, K, a, b, c, cOff, ldc, accumulate);
}

/** `packed` on one thread, or split in the shared memory; a lost worker's call reruns on one thread. */
function runPacked(
  shared: Context | null,
  split: number,
  M: number,
  N: number,
  K: number,
  a: MatrixView,
  b: MatrixView,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): boolean {
  const one = instance as Context;
  if (split === 0 || shared === null) return packed(one, 0, M, N, K, a, b, c, cOff, ldc, accumulate);
  try {
    return packed(shared, split, M, N, K, a, b, c, cOff, ldc, accumulate);
  } catch (e) {
    if (!(e instanceof WorkerLost)) throw e;
    // nothing reached c yet (it is written after both halves): the whole call again, one thread
    return packed(one, 0, M, N, K, a, b, c, cOff, ldc, accumulate);
  }
}

/** The packed (Goto/BLIS) GEMM in `ctx`'s memory; `split` as chooseSplit returns it (0: one thread). */
function packed(
  ctx: Context,
  split: number,
  M: number,
  N: number,
  K: number,
  a: MatrixView,
  b: MatrixView,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): boolean {
  // operands in the storage heap are read where they lie; the others resident or copied
  const aDirect = inHeap(ctx, a.data);
  const bDirect = inHeap(ctx, b.data);
  const aVersion = aDirect ? undefined : residentVersion(a.data, c);
  const bVersion = bDirect ? undefined : b.data === a.data ? aVersion : residentVersion(b.data, c);
  const sameAB = b.data === a.data;
  const aSpan = span(M, K, a);
  const bSpan = span(K, N, b);
  // K within two 32-step chunks (one K slice): the kernel keeps C in float32, which halves C's
  // bytes and skips the widen / narrow passes. Overwriting, it stores chunk 1 and adds chunk 2 in
  // float32: one rounding of c1 + c2, which is what the float64 path's widen, add and narrow give
  // (a float64 sum of two float32 values rounds to their float32 sum); accumulating, one more
  // float32 rounding per chunk (~1.2e-7 relative), far inside the bound of the 32-step sums
  const f32C = K <= Math.min(64, blocking.KC);
  // a float32 C in the heap is written in place: the kernel reads and writes only C's M x N
  // elements (edge tiles go through the scratch tile), the same float32 operations as on a copy;
  // not when it overlaps an operand read in place, which a copy of C would have left intact
  const aPtrDirect = aDirect ? a.data.byteOffset + a.offset * 4 : -1;
  const bPtrDirect = bDirect ? b.data.byteOffset + b.offset * 4 : -1;
  const cPtrDirect = c.byteOffset + cOff * 4;
  const cEndDirect = cPtrDirect + ((M - 1) * ldc + N) * 4;
  const cDirect =
    f32C &&
    inHeap(ctx, c) &&
    !(aDirect && aPtrDirect < cEndDirect && cPtrDirect < aPtrDirect + aSpan * 4) &&
    !(bDirect && bPtrDirect < cEndDirect && cPtrDirect < bPtrDirect + bSpan * 4);
  const pABytes = align16(Math.min(blocking.MC, Math.ceil(M / 4) * 4) * Math.min(blocking.KC, K) * 4);
  const pBBytes = Math.min(blocking.NC, Math.ceil(N / 8) * 8) * Math.min(blocking.KC, K) * 4;
  const aSpanBytes = aDirect || aVersion !== undefined ? 0 : align16(aSpan * 4);
  const bSpanBytes = bDirect || bVersion !== undefined ? 0 : align16(bSpan * 4);
  // resident operands first (they may reset the region), then the scratch: packed A block and B
  // panel, the A and B spans copied, C
  makeRoom(ctx, residentsNeed(ctx, a.data, aVersion, b.data, bVersion));
  if (ctx.storage !== null) {
    const scratch =
      pABytes + align16(pBBytes) + aSpanBytes + bSpanBytes + (cDirect ? 0 : align16(M * N * (f32C ? 4 : 8)));
    if (!fitBlock(ctx, a.data, aVersion, b.data, bVersion, scratch))
      return packed(ownMemory(), 0, M, N, K, a, b, c, cOff, ldc, accumulate);
  }
  let aRes = aDirect ? -1 : residentHit(ctx, a.data, aVersion);
  const aCopy = aRes < 0 && aVersion !== undefined;
  if (aCopy) aRes = residentSlot(ctx, a.data, aVersion);
  let bRes = bDirect ? -1 : residentHit(ctx, b.data, bVersion);
  const bCopy = bRes < 0 && bVersion !== undefined;
  if (bCopy) bRes = residentSlot(ctx, b.data, bVersion);
  const pA = align16(ctx.residentTop);
  const pB = pA + pABytes;
  let top = align16(pB + pBBytes);
  const aSpanPtr = aSpanBytes === 0 ? -1 : top;
  top += aSpanBytes;
  const bSpanPtr = bSpanBytes === 0 ? -1 : top;
  top += bSpanBytes;
  const cPtr = cDirect ? cPtrDirect : top;
  const cEnd = cDirect ? top : cPtr + M * N * (f32C ? 4 : 8);
  // the worker's packed A block and B panel (split calls), after C
  const pA2 = align16(cEnd);
  const pB2 = pA2 + pABytes;
  const end = split === 0 ? cEnd : align16(pB2 + pBBytes);
  if (ctx.storage !== null) {
    if (end > ctx.origin + ctx.blockBytes) throw new Error('gemm-wasm: scratch layout overran its heap block');
  } else if (end > MAX_BYTES) {
    dropResidents(ctx); // the slots handed out above were never filled
    return false;
  } else reserve(ctx, end);
  const heap = ctx.heap;
  if (aCopy) heap.set(a.data, aRes >> 2);
  if (bCopy && !sameAB) heap.set(b.data, bRes >> 2);
  if (aSpanPtr >= 0) heap.set(a.data.subarray(a.offset, a.offset + aSpan), aSpanPtr >> 2);
  if (bSpanPtr >= 0) heap.set(b.data.subarray(b.offset, b.offset + bSpan), bSpanPtr >> 2);
  // the address of A(0, 0) and B(0, 0)
  const aPtr = aDirect ? aPtrDirect : aRes >= 0 ? aRes + a.offset * 4 : aSpanPtr;
  const bPtr = bDirect ? bPtrDirect : bRes >= 0 ? bRes + b.offset * 4 : bSpanPtr;
  // C crosses as float32 (plain copies) and is widened to / narrowed from float64 in wasm; an
  // overwriting call never reads C in wasm memory, so it is not zeroed
  const c0 = cPtr >> 2;
  const contiguous = ldc === N;
  const ldcC = cDirect ? ldc : N;
  // a float64 C for a C in the heap: widened from it and narrowed into it, with no JS copies
  const cConvert = !cDirect && !f32C && inHeap(ctx, c);
  if (accumulate && cConvert) widenRows(ctx, cPtrDirect, ldc, cPtr, M, N);
  else if (accumulate && !cDirect) {
    if (contiguous) heap.set(c.subarray(cOff, cOff + M * N), c0);
    else for (let i = 0; i < M; i++) heap.set(c.subarray(cOff + i * ldc, cOff + i * ldc + N), c0 + i * N);
    if (!f32C) ctx.widen(cPtr, M * N);
  }
  const acc = accumulate ? 1 : 0;
  const cf = f32C ? 1 : 0;
  const { MC, KC, NC } = blocking;
  const tile = ctx.origin + TILE;
  if (split === 0) ctx.gemm(M, N, K, aPtr, a.rs, a.cs, bPtr, b.rs, b.cs, cPtr, ldcC, pA, pB, tile, MC, KC, NC, acc, cf);
  else {
    // the caller's half: columns [0, j) or rows [0, i); the worker's: the rest, into disjoint C
    // (a split context has its own memory: C is never in place there)
    const esz = f32C ? 4 : 8;
    const M1 = split > 0 ? M : -split;
    const N1 = split > 0 ? split : N;
    const M2 = M - (split > 0 ? 0 : M1);
    const N2 = N - (split > 0 ? N1 : 0);
    const a2 = split > 0 ? aPtr : aPtr + M1 * a.rs * 4;
    const b2 = split > 0 ? bPtr + N1 * b.cs * 4 : bPtr;
    const c2 = split > 0 ? cPtr + N1 * esz : cPtr + M1 * N * esz;
    const job = jobArgs();
    job.set([M2, N2, K, a2, a.rs, a.cs, b2, b.rs, b.cs, c2, N, pA2, pB2, WORKER_TILE, MC, KC, NC, acc, cf], ARGS);
    post(ctx.fma.value);
    ctx.gemm(M1, N1, K, aPtr, a.rs, a.cs, bPtr, b.rs, b.cs, cPtr, N, pA, pB, tile, MC, KC, NC, acc, cf);
    // taken back before the worker claimed it: the caller runs the worker's half too
    if (!settle())
      ctx.gemm(M2, N2, K, a2, a.rs, a.cs, b2, b.rs, b.cs, c2, N, pA2, pB2, WORKER_TILE, MC, KC, NC, acc, cf);
  }
  if (cConvert) narrowRows(ctx, cPtr, cPtrDirect, ldc, M, N);
  else if (!cDirect) {
    if (!f32C) ctx.narrow(cPtr, M * N);
    if (contiguous) c.set(heap.subarray(c0, c0 + M * N), cOff);
    else for (let i = 0; i < M; i++) c.set(heap.subarray(c0 + i * N, c0 + i * N + N), cOff + i * ldc);
  }
  wrote(c);
  return true;
}

/** Float32 C rows (byte address `src`, row stride `ldc` elements) into float64 scratch at `dst` (row stride N). */
function widenRows(ctx: Context, src: number, ldc: number, dst: number, M: number, N: number): void {
  if (ldc === N) ctx.widenFrom(src, dst, M * N);
  else for (let i = 0; i < M; i++) ctx.widenFrom(src + i * ldc * 4, dst + i * N * 8, N);
}

/** Float64 scratch at `src` (row stride N) narrowed into float32 C rows at `dst` (row stride `ldc`). */
function narrowRows(ctx: Context, src: number, dst: number, ldc: number, M: number, N: number): void {
  if (ldc === N) ctx.narrowInto(src, dst, M * N);
  else for (let i = 0; i < M; i++) ctx.narrowInto(src + i * N * 8, dst + i * ldc * 4, N);
}

/** Below this many rows of A, products run on the unpacked gemv kernels (the micro-panel is 4 rows). */
const GEMV_ROWS = 4;

/** Make `ctx`'s memory at least `end` bytes. */
function reserve(ctx: Context, end: number): void {
  const mem = ctx.memory;
  if (mem.buffer.byteLength < end) {
    mem.grow(Math.ceil((end - mem.buffer.byteLength) / 65536));
    ctx.heap = new Float32Array(mem.buffer);
  }
}

/**
 * M < 4 rows: A's rows are gathered contiguously, B's span copied as it lies (no packing), and
 * B streamed once per 4 (dot form, B contiguous along k) or 16 (axpy form, along j) columns.
 */
function gemv(
  ctx: Context,
  M: number,
  N: number,
  K: number,
  a: MatrixView,
  b: MatrixView,
  c: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): boolean {
  // B in the storage heap is read where it lies, and so are A's rows when they are contiguous
  // (the kernels take A's M rows K apart)
  const bDirect = inHeap(ctx, b.data);
  const aDirect = inHeap(ctx, a.data) && a.cs === 1 && (M === 1 || a.rs === K);
  const bVersion = bDirect ? undefined : residentVersion(b.data, c);
  const bSpan = span(K, N, b);
  const aBytes = aDirect ? 0 : align16(M * K * 4);
  const bSpanBytes = bDirect || bVersion !== undefined ? 0 : align16(bSpan * 4);
  makeRoom(ctx, residentNeed(ctx, b.data, bVersion));
  if (ctx.storage !== null && !fitBlock(ctx, b.data, bVersion, b.data, bVersion, aBytes + bSpanBytes + M * N * 8))
    return gemv(ownMemory(), M, N, K, a, b, c, cOff, ldc, accumulate);
  let bRes = bDirect ? -1 : residentHit(ctx, b.data, bVersion);
  const bCopy = bRes < 0 && bVersion !== undefined;
  if (bCopy) bRes = residentSlot(ctx, b.data, bVersion as number);
  const aPtr = aDirect ? a.data.byteOffset + a.offset * 4 : align16(ctx.residentTop);
  const bSpanPtr = align16(ctx.residentTop) + aBytes;
  const cPtr = bSpanPtr + bSpanBytes;
  const end = cPtr + M * N * 8;
  if (ctx.storage !== null) {
    if (end > ctx.origin + ctx.blockBytes) throw new Error('gemm-wasm: scratch layout overran its heap block');
  } else if (end > MAX_BYTES) {
    dropResidents(ctx); // the slot handed out above was never filled
    return false;
  } else reserve(ctx, end);
  const h = ctx.heap;
  const a0 = aPtr >> 2;
  if (!aDirect)
    for (let i = 0; i < M; i++) {
      const src = a.offset + i * a.rs;
      if (a.cs === 1) h.set(a.data.subarray(src, src + K), a0 + i * K);
      else for (let k = 0; k < K; k++) h[a0 + i * K + k] = a.data[src + k * a.cs]!;
    }
  if (bCopy) h.set(b.data, bRes >> 2);
  else if (bSpanBytes > 0) h.set(b.data.subarray(b.offset, b.offset + bSpan), bSpanPtr >> 2);
  const bPtr = bDirect ? b.data.byteOffset + b.offset * 4 : bRes >= 0 ? bRes + b.offset * 4 : bSpanPtr;
  const c0 = cPtr >> 2;
  // a C in the heap: widened from it and narrowed into it, with no JS copies
  const cConvert = inHeap(ctx, c);
  const cHeapPtr = c.byteOffset + cOff * 4;
  if (accumulate) {
    if (cConvert) widenRows(ctx, cHeapPtr, ldc, cPtr, M, N);
    else {
      for (let i = 0; i < M; i++) h.set(c.subarray(cOff + i * ldc, cOff + i * ldc + N), c0 + i * N);
      ctx.widen(cPtr, M * N);
    }
  } else h.fill(0, c0, c0 + 2 * M * N); // float64 zeros are all-zero bits
  if (b.rs === 1) ctx.gemvDot(M, N, K, aPtr, bPtr, b.cs, cPtr, N);
  else ctx.gemvAxpy(M, N, K, aPtr, bPtr, b.rs, cPtr, N);
  if (cConvert) narrowRows(ctx, cPtr, cHeapPtr, ldc, M, N);
  else {
    ctx.narrow(cPtr, M * N);
    for (let i = 0; i < M; i++) c.set(h.subarray(c0 + i * N, c0 + i * N + N), cOff + i * ldc);
  }
  wrote(c);
  return true;
}

/**
 * Bytes of wasm memory currently reserved by the GEMM (it grows on demand, never shrinks): the
 * heap block of the one-thread context (or its own memory where there is no storage heap), the
 * shared memory and the fall-back own memory.
 */
export function wasmGemmMemoryBytes(): number {
  const bytes = (ctx: Context | null): number =>
    ctx === null ? 0 : ctx.storage !== null ? ctx.blockBytes : ctx.memory.buffer.byteLength;
  return bytes(instance) + bytes(sharedContext) + bytes(ownMemoryContext);
}
