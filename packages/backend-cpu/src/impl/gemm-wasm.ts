/**
 * Float32 GEMM on WebAssembly SIMD: C (+)= A @ B, the same interface as the JavaScript `gemmJs`.
 *
 * The kernel is hand-written WebAssembly text (src/wasm/gemm.wat: Goto/BLIS blocking, A packed
 * into 4-row and B into 8-column micro-panels, a 4x8 f32x4 micro-kernel); its assembled bytes are
 * embedded in src/wasm/gemm-bytes.ts and compiled synchronously when this module is imported.
 *
 * The module works in one WebAssembly.Memory, grown on demand and never shrunk. A call copies the
 * span of A and of B that the views touch into it (a memcpy each; packing then happens inside
 * the module), zeroes or copies in C, runs, and copies C out. Strides are passed through, so
 * transposed operands cost nothing extra. Steady state allocates no buffers on the JS side.
 *
 * Two threads (Node, opt-in: FLINT_CPU_THREADS=2 or setWasmGemmThreading({ threads: 2 })): where
 * worker_threads and SharedArrayBuffer exist, the memory is a shared one, and with threads on a
 * large call is cut into blocks of C that the calling thread and one worker
 * claim with Atomics.add, the worker running a second instance of the same module on the same
 * memory. The call stays synchronous: the caller works through chunks itself, then blocks in
 * Atomics.wait only while the worker finishes a chunk it already claimed; a worker that was never
 * scheduled in time is cancelled (compareExchange), so a busy machine costs at most one chunk of
 * waiting. The worker is started lazily by the first large call and is unref'd.
 *
 * Precision: the micro-kernel multiplies and sums in float32 over chunks of 32 k steps and adds
 * each chunk into C, which lives in wasm memory as float64 (widened on the way in, rounded once on
 * the way out).
 * A long reduction therefore costs at most 32 steps' float32 rounding, ~5e-7 relative for
 * same-sign terms, instead of growing with K (one float32 sum over K = 1e6 is off by ~1e-4).
 */
import type { Worker } from 'node:worker_threads';
import { gemmWasmBase64, gemmWasmSharedBase64 } from '../wasm/gemm-bytes.js';
import type { MatrixView } from './gemm-js.js';

/**
 * The slice of the WebAssembly JS API used here, typed locally: the package compiles against
 * lib ES2022 (no DOM typings), and a global declaration could clash with a consumer's DOM lib.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

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
) => void;

/** In-place conversion of `n` elements of C at byte address `p` (float64 <-> float32). */
type ConvertExport = (p: number, n: number) => void;

interface Instance {
  memory: WasmMemory;
  gemm: GemmExport;
  narrow: ConvertExport;
  widen: ConvertExport;
  /** The shared-memory module (for the worker's instance), null when single-threaded. */
  sharedModule: object | null;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

type NodeProcess = { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown };
const nodeProcess = (globalThis as { process?: NodeProcess }).process;

/** A Node built-in, synchronously and without a static import (so browsers bundle this file). */
function nodeBuiltin<T>(id: string): T | undefined {
  try {
    return nodeProcess?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

type WorkerThreads = typeof import('node:worker_threads');
const workerThreads = nodeBuiltin<WorkerThreads>('node:worker_threads');

/**
 * Threads for large calls: FLINT_CPU_THREADS=2 opts in, default 1. (On the shared 2-core machine
 * we measured, other processes kept the second core busy and the split gained nothing in median;
 * see the README.)
 */
function initialThreads(): 1 | 2 {
  return nodeProcess?.env?.FLINT_CPU_THREADS === '2' ? 2 : 1;
}

/** 2 GiB in pages: the JS side keeps every call's working set below 2^31 (i32 address arithmetic). */
const MAX_PAGES = 32768;

function kernelExports(exports: Record<string, unknown>): Pick<Instance, 'gemm' | 'narrow' | 'widen'> {
  return {
    gemm: exports.gemm as GemmExport,
    narrow: exports.narrow as ConvertExport,
    widen: exports.widen as ConvertExport,
  };
}

function instantiate(): Instance | null {
  if (WA === undefined || !detectWasmSimd()) return null;
  // Shared memory wherever a worker could use it (it costs the single thread nothing), so threads
  // can be switched on at run time.
  if (workerThreads !== undefined && typeof SharedArrayBuffer === 'function') {
    try {
      const memory = new WA.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      const module = new WA.Module(decodeBase64(gemmWasmSharedBase64));
      const exports = new WA.Instance(module, { env: { memory } }).exports;
      return { memory, ...kernelExports(exports), sharedModule: module };
    } catch {
      // no shared memory here: single-threaded below
    }
  }
  try {
    const module = new WA.Module(decodeBase64(gemmWasmBase64));
    const exports = new WA.Instance(module, {}).exports;
    return { memory: exports.memory as WasmMemory, ...kernelExports(exports), sharedModule: null };
  } catch {
    return null;
  }
}

const instance = instantiate();

/** Whether the WebAssembly SIMD GEMM loaded in this engine (`gemmWasm` throws otherwise). */
export const wasmSimdAvailable: boolean = instance !== null;

/** Cache blocking (elements): MC rows of A (multiple of 4), KC deep, NC columns of B (multiple of 8). */
const blocking = { MC: 64, KC: 256, NC: 2048 };

/** Tune the cache blocking (benchmarks); returns the previous setting. */
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

// ---------------------------------------------------------------------------------------------
// Memory layout. Bytes [0, 128) are the control block shared with the worker (32 int32), then one
// 256-byte edge tile (4x8 float64) per thread, then per thread the packed A block and B panel,
// then A, B (float32) and C (float64).

const CTL_INTS = 32;
const TILE0 = 128;
const TILE1 = 384;
const SCRATCH = 640;
/** Control block slots (int32 indices). */
const STATE = 0; // IDLE / POSTED / TAKEN / FINISHED
const NEXT = 1; // next chunk to claim (Atomics.add)
const READY = 2; // 1 once the worker has instantiated the module
const N_CHUNKS = 3; // chunks: a grid of CHUNK_ROWS x CHUNK_COLS blocks of C, row-major
const GRID_COLS = 4; // chunks per grid row
const CHUNK_ROWS = 5;
const CHUNK_COLS = 6;
const ARGS = 7; // 18 gemm arguments, with the worker's scratch pointers (ARGS + 11..13)
const WORKER_FAILED = 30; // set by the worker if a job threw (it still reports FINISHED)
const WORKER_CHUNKS = 31; // chunks the worker has run (statistics)
const IDLE = 0;
const POSTED = 1;
const TAKEN = 2;
const FINISHED = 3;

let heap: Float32Array = instance !== null ? new Float32Array(instance.memory.buffer) : new Float32Array(0);
/** The control block (re-viewed after growth: growing a non-shared memory detaches the old buffer). */
let ctl: Int32Array =
  instance !== null ? new Int32Array(instance.memory.buffer, 0, CTL_INTS) : new Int32Array(CTL_INTS);

const align16 = (n: number): number => (n + 15) & ~15;

/** Elements spanned by a rows x cols view with non-negative strides. */
const span = (rows: number, cols: number, v: MatrixView): number => (rows - 1) * v.rs + (cols - 1) * v.cs + 1;

let pA0 = 0;
let pB0 = 0;
let pA1 = 0;
let pB1 = 0;
let aPtr = 0;
let bPtr = 0;
let cPtr = 0;

/**
 * Place the call's buffers (scratch for `threads` threads); returns the bytes needed, or -1 when it
 * cannot run in wasm memory (negative strides, over 2 GiB).
 */
function layout(M: number, N: number, K: number, a: MatrixView, b: MatrixView, threads: number): number {
  if (a.rs < 0 || a.cs < 0 || b.rs < 0 || b.cs < 0) return -1;
  const aBytes = Math.min(blocking.MC, Math.ceil(M / 4) * 4) * Math.min(blocking.KC, K) * 4;
  const bBytes = Math.min(blocking.NC, Math.ceil(N / 8) * 8) * Math.min(blocking.KC, K) * 4;
  pA0 = SCRATCH;
  pB0 = align16(pA0 + aBytes);
  let p = align16(pB0 + bBytes);
  if (threads > 1) {
    pA1 = p;
    pB1 = align16(pA1 + aBytes);
    p = align16(pB1 + bBytes);
  }
  aPtr = p;
  bPtr = align16(aPtr + span(M, K, a) * 4);
  cPtr = align16(bPtr + span(K, N, b) * 4);
  const end = cPtr + M * N * 8;
  return end <= MAX_PAGES * 65536 ? end : -1;
}

// ---------------------------------------------------------------------------------------------
// The worker. Its source is self-contained (eval'd), with the same chunk loop as `runChunks`.

const CHUNK_LOOP = `
function runChunks(ctl, gemm, pA, pB, tile) {
  const n = ctl[${N_CHUNKS}], gridCols = ctl[${GRID_COLS}], h = ctl[${CHUNK_ROWS}], w = ctl[${CHUNK_COLS}];
  const M = ctl[${ARGS}], N = ctl[${ARGS + 1}], K = ctl[${ARGS + 2}];
  const a = ctl[${ARGS + 3}], ars = ctl[${ARGS + 4}], acs = ctl[${ARGS + 5}];
  const b = ctl[${ARGS + 6}], brs = ctl[${ARGS + 7}], bcs = ctl[${ARGS + 8}];
  const c = ctl[${ARGS + 9}], ldc = ctl[${ARGS + 10}];
  const MC = ctl[${ARGS + 14}], KC = ctl[${ARGS + 15}], NC = ctl[${ARGS + 16}], acc = ctl[${ARGS + 17}];
  for (let done = 0; ; done++) {
    const i = Atomics.add(ctl, ${NEXT}, 1);
    if (i >= n) return done;
    const r = Math.floor(i / gridCols) * h, q = (i % gridCols) * w;
    gemm(Math.min(h, M - r), Math.min(w, N - q), K, a + 4 * r * ars, ars, acs, b + 4 * q * bcs, brs, bcs,
      c + 8 * (r * ldc + q), ldc, pA, pB, tile, MC, KC, NC, acc);
  }
}`;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory } = workerData;
const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
const ctl = new Int32Array(memory.buffer, 0, ${CTL_INTS});
${CHUNK_LOOP}
Atomics.store(ctl, ${READY}, 1);
for (;;) {
  const s = Atomics.load(ctl, ${STATE});
  if (s !== ${POSTED}) { Atomics.wait(ctl, ${STATE}, s); continue; }
  if (Atomics.compareExchange(ctl, ${STATE}, ${POSTED}, ${TAKEN}) !== ${POSTED}) continue;
  try {
    Atomics.add(ctl, ${WORKER_CHUNKS}, runChunks(ctl, gemm, ctl[${ARGS + 11}], ctl[${ARGS + 12}], ctl[${ARGS + 13}]));
  } catch {
    Atomics.store(ctl, ${WORKER_FAILED}, 1);
  } finally {
    // the caller is blocked in Atomics.wait until this: never leave it there
    Atomics.store(ctl, ${STATE}, ${FINISHED});
    Atomics.notify(ctl, ${STATE});
  }
}
`;

/** Claims and runs chunks until none is left; returns how many it ran. */
type ChunkLoop = (ctl: Int32Array, gemm: GemmExport, pA: number, pB: number, tile: number) => number;
/**
 * The same loop for the calling thread, compiled from the same source when the worker starts
 * (Node only: browsers, where a CSP may forbid eval, never get here).
 */
let runChunks: ChunkLoop | null = null;

let worker: Worker | null = null;
let workerFailed = false;

/** Threading: threads 2 splits calls of at least minFlops (2*M*N*K); adaptive enables the back-off. */
const threading: { threads: 1 | 2; minFlops: number; adaptive: boolean } = {
  threads: initialThreads(),
  minFlops: 4e6,
  adaptive: true,
};

/**
 * Start the worker if it is not running (possible in Node: shared memory and worker_threads);
 * resolves true once it is ready, false where it cannot run. Large calls start it themselves
 * when threads are 2; this lets a caller wait for it.
 */
export function startGemmWorker(): Promise<boolean> {
  if (instance === null || instance.sharedModule === null || workerThreads === undefined || workerFailed)
    return Promise.resolve(false);
  if (worker === null) {
    try {
      runChunks ??= new Function(`${CHUNK_LOOP}\nreturn runChunks;`)() as ChunkLoop;
      worker = new workerThreads.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: instance.sharedModule, memory: instance.memory },
      });
      worker.unref();
      worker.on('error', () => {
        workerFailed = true;
        worker = null;
        Atomics.store(ctl, READY, 0);
      });
    } catch {
      workerFailed = true;
      return Promise.resolve(false);
    }
  }
  return new Promise((resolve) => {
    const poll = (): void => {
      if (Atomics.load(ctl, READY) === 1) resolve(true);
      else if (workerFailed) resolve(false);
      else setTimeout(poll, 1);
    };
    poll();
  });
}

const workerReady = (): boolean => worker !== null && Atomics.load(ctl, READY) === 1;

/** 2 when large calls are split across the calling thread and a ready worker, else 1. */
export function wasmGemmThreads(): number {
  return threading.threads === 2 && workerReady() ? 2 : 1;
}

/**
 * Threading settings: `threads` 2 splits large calls (where a worker can run), 1 never;
 * `minFlops` the size from which a call is split (0: every call that can be); `adaptive` false
 * turns the back-off off (tests). Returns the previous settings.
 */
export function setWasmGemmThreading(next: { threads?: 1 | 2; minFlops?: number; adaptive?: boolean }): {
  threads: 1 | 2;
  minFlops: number;
  adaptive: boolean;
} {
  const prev = { ...threading };
  if (next.threads !== undefined) threading.threads = next.threads;
  if (next.minFlops !== undefined) threading.minFlops = next.minFlops;
  if (next.adaptive !== undefined) threading.adaptive = next.adaptive;
  backoff = 0;
  waitShare = 0;
  return prev;
}

const up = (x: number, m: number): number => Math.ceil(x / m) * m;

/**
 * Cut C into a grid of chunks: column blocks of 64..256 (about N/4) once N >= 128, row blocks of
 * 64..256 (about M/4) once M >= 128. Each chunk packs its own rows of A and columns of B, so
 * chunks stay wide enough for that to be cheap, and small enough (<= 256 x 256) that waiting for
 * a descheduled worker's last chunk stays short. Returns [chunk rows, chunk cols, grid cols, n].
 */
function plan(M: number, N: number): [number, number, number, number] {
  const w = N >= 128 ? Math.min(256, Math.max(64, up(N / 4, 8))) : N;
  const h = M >= 128 ? Math.min(256, Math.max(64, up(M / 4, 4))) : M;
  const gridCols = Math.ceil(N / w);
  return [h, w, gridCols, gridCols * Math.ceil(M / h)];
}

/**
 * Back-off when the worker keeps the caller waiting (another process has the other core): a
 * moving average of the share of a split call spent waiting for the worker's last chunk; above
 * 30% the next 32 large calls run on the calling thread alone, then splitting is tried again.
 */
const BACKOFF_CALLS = 32;
let waitShare = 0;
let backoff = 0;

let splitCalls = 0;

/** Calls split across both threads, and chunks of them the worker ran, since the module loaded. */
export function wasmGemmStats(): { splitCalls: number; workerChunks: number } {
  return { splitCalls, workerChunks: Atomics.load(ctl, WORKER_CHUNKS) };
}

/** Run the call on both threads (operands already in memory). */
function runSplit(
  M: number,
  N: number,
  K: number,
  a: MatrixView,
  b: MatrixView,
  acc: number,
  h: number,
  w: number,
  gridCols: number,
  n: number,
): void {
  const g = instance!.gemm;
  splitCalls++;
  ctl[NEXT] = 0;
  ctl[N_CHUNKS] = n;
  ctl[GRID_COLS] = gridCols;
  ctl[CHUNK_ROWS] = h;
  ctl[CHUNK_COLS] = w;
  ctl[ARGS] = M;
  ctl[ARGS + 1] = N;
  ctl[ARGS + 2] = K;
  ctl[ARGS + 3] = aPtr;
  ctl[ARGS + 4] = a.rs;
  ctl[ARGS + 5] = a.cs;
  ctl[ARGS + 6] = bPtr;
  ctl[ARGS + 7] = b.rs;
  ctl[ARGS + 8] = b.cs;
  ctl[ARGS + 9] = cPtr;
  ctl[ARGS + 10] = N;
  ctl[ARGS + 11] = pA1;
  ctl[ARGS + 12] = pB1;
  ctl[ARGS + 13] = TILE1;
  ctl[ARGS + 14] = blocking.MC;
  ctl[ARGS + 15] = blocking.KC;
  ctl[ARGS + 16] = blocking.NC;
  ctl[ARGS + 17] = acc;
  const t0 = performance.now();
  Atomics.store(ctl, STATE, POSTED);
  Atomics.notify(ctl, STATE);
  runChunks!(ctl, g, pA0, pB0, TILE0);
  // every chunk is claimed; cancel the job if the worker never took it, else wait for its last chunk
  if (Atomics.compareExchange(ctl, STATE, POSTED, IDLE) !== POSTED) {
    const t1 = performance.now();
    while (Atomics.load(ctl, STATE) === TAKEN) Atomics.wait(ctl, STATE, TAKEN);
    Atomics.store(ctl, STATE, IDLE);
    if (Atomics.exchange(ctl, WORKER_FAILED, 0) !== 0) throw new Error('flint gemm: the worker thread failed a job');
    const t2 = performance.now();
    waitShare = 0.75 * waitShare + 0.25 * ((t2 - t1) / Math.max(1e-3, t2 - t0));
  } else {
    waitShare *= 0.75;
  }
  if (threading.adaptive && waitShare > 0.3) {
    backoff = BACKOFF_CALLS;
    waitShare = 0;
  }
}

/**
 * C[cOff + i*ldc + j] (+)= sum_k A(i,k) * B(k,j) for i < M, j < N, with A and B read through
 * their (row, column) strides. With `accumulate` false the destination block is overwritten.
 * Returns false (doing nothing) when the call cannot run in wasm memory: negative strides or a
 * working set over 2 GiB; the caller then uses gemmJs.
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
  let threads = 1;
  let split: [number, number, number, number] = [M, N, 1, 1];
  if (threading.threads === 2 && instance.sharedModule !== null && 2 * M * N * K >= threading.minFlops) {
    split = plan(M, N);
    if (split[3] > 1) {
      if (backoff > 0) backoff--;
      else if (workerReady()) threads = 2;
      else void startGemmWorker(); // ready for a later call; this one runs on the calling thread
    }
  }
  const end = layout(M, N, K, a, b, threads);
  if (end < 0) return false;
  if (instance.memory.buffer.byteLength < end) {
    instance.memory.grow(Math.ceil((end - instance.memory.buffer.byteLength) / 65536));
    heap = new Float32Array(instance.memory.buffer);
    ctl = new Int32Array(instance.memory.buffer, 0, CTL_INTS);
  }
  heap.set(a.data.subarray(a.offset, a.offset + span(M, K, a)), aPtr >> 2);
  heap.set(b.data.subarray(b.offset, b.offset + span(K, N, b)), bPtr >> 2);
  // C crosses as float32 (fast copies) and is widened to / narrowed from float64 in wasm
  // (an overwriting call never reads C in wasm memory: no zeroing)
  const c0 = cPtr >> 2;
  const contiguous = ldc === N;
  if (accumulate) {
    if (contiguous) heap.set(c.subarray(cOff, cOff + M * N), c0);
    else for (let i = 0; i < M; i++) heap.set(c.subarray(cOff + i * ldc, cOff + i * ldc + N), c0 + i * N);
    instance.widen(cPtr, M * N);
  }
  const acc = accumulate ? 1 : 0;
  if (threads === 2) runSplit(M, N, K, a, b, acc, ...split);
  else
    instance.gemm(
      M,
      N,
      K,
      aPtr,
      a.rs,
      a.cs,
      bPtr,
      b.rs,
      b.cs,
      cPtr,
      N,
      pA0,
      pB0,
      TILE0,
      blocking.MC,
      blocking.KC,
      blocking.NC,
      acc,
    );
  instance.narrow(cPtr, M * N);
  if (contiguous) c.set(heap.subarray(c0, c0 + M * N), cOff);
  else for (let i = 0; i < M; i++) c.set(heap.subarray(c0 + i * N, c0 + i * N + N), cOff + i * ldc);
  return true;
}

/** Bytes of wasm memory currently reserved by the GEMM (it grows on demand, never shrinks). */
export function wasmGemmMemoryBytes(): number {
  return instance === null ? 0 : instance.memory.buffer.byteLength;
}
