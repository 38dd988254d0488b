/**
 * The two-thread GEMM: when to split a call, the worker that runs the second half, and recovery.
 *
 * Where it can run (Node with worker_threads and SharedArrayBuffer, at least two cores in
 * `os.availableParallelism()`), a GEMM whose M*N*K reaches `minMnk` (2^21) may be split in two at
 * a micro-panel boundary: one persistent, unref()'d worker thread runs one half on a shared
 * WebAssembly.Memory while the caller runs the other (gemm-wasm.ts; the protocol is in
 * gemm-worker.ts). Both halves write disjoint parts of C with the same kernel, so the result is
 * bit-identical either way and the choice can change from call to call unseen.
 *
 * Setting (`setCpuThreads`, or `FLINT_CPU_THREADS=1|2|auto` at load): 1 never splits; 2 splits
 * every eligible call; 'auto' (the default) measures. Calls are grouped by shape (M, N, K and the
 * operands' layout; a training step repeats a handful), and each shape runs the faster of split
 * and unsplit by the median of its last 5 times per call, copies included (splitting must win by 5%). The times
 * come from windows of 16 consecutive eligible calls all split or all unsplit (alternating; every
 * 128 calls, backing off to every 2048 while the windows confirm every choice), so the choice
 * follows a load that changes during the run. While the load average exceeds the cores the
 * worker sleeps right after each job instead of polling.
 * Calls below `minMnk` and all calls where threads cannot run cost one comparison.
 *
 * Recovery: a job the worker has not claimed when the caller is done with its own half is taken
 * back and run by the caller. A worker that claimed a job and then failed, died or stalled past
 * `stallMs` ends threading for the process: one warning, the worker terminated, the shared memory
 * abandoned (a late worker can only write there), and the call rerun on one thread from its
 * operands, which the split never modified.
 */
import {
  CTRL_WORDS,
  DONE,
  FAILED,
  FAULT,
  FAULT_MS,
  FMA,
  IDLE,
  SPIN,
  POSTED,
  STARTING,
  STATE,
  TAKEN,
  WORKER_SOURCE,
} from './gemm-worker.js';

interface NodeProcess {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}
interface WorkerHandle {
  unref(): void;
  terminate(): Promise<number>;
  on(event: string, listener: (value: unknown) => void): void;
}
interface WorkerThreadsModule {
  Worker: new (source: string, options: { eval: boolean; workerData: unknown }) => WorkerHandle;
}
interface OsModule {
  availableParallelism?: () => number;
  cpus(): unknown[];
  loadavg(): number[];
}

const proc = (globalThis as { process?: NodeProcess }).process;
const env = proc?.env ?? {};

/**
 * A Node built-in module, or null outside Node. Loaded through `process.getBuiltinModule`, never
 * a static import, so browser bundles do not pull in node:worker_threads or node:os.
 */
function builtin<T>(id: string): T | null {
  try {
    if (proc?.versions?.node === undefined || typeof proc.getBuiltinModule !== 'function') return null;
    return (proc.getBuiltinModule(id) as T | undefined) ?? null;
  } catch {
    return null;
  }
}

/** 1: one thread; 2: split every call of at least `minMnk`; 'auto': split where it measures faster. */
export type CpuThreads = 1 | 2 | 'auto';

function envNumber(name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!(value >= 0)) throw new Error(`${name} must be a non-negative number, got '${text}'`);
  return value;
}

function initialSetting(): CpuThreads {
  const text = env.FLINT_CPU_THREADS;
  if (text === undefined || text === '' || text === 'auto') return 'auto';
  if (text === '1') return 1;
  if (text === '2') return 2;
  throw new Error(`FLINT_CPU_THREADS must be 1, 2 or auto, got '${text}'`);
}

let setting: CpuThreads = initialSetting();
const tuning = {
  /** Calls with M*N*K below this never split (measured break-even on free cores: 2^20 to 2^21). */
  minMnk: envNumber('FLINT_CPU_THREAD_MIN_MNK', 2 ** 21),
  /** A claimed job unfinished this long after the caller's half: the worker is given up. */
  stallMs: envNumber('FLINT_CPU_THREAD_STALL_MS', 1000),
  /** How long the worker polls for the next job before sleeping. */
  spinMs: envNumber('FLINT_CPU_THREAD_SPIN_MS', 1),
};

/** Why threads cannot run in this process (checked once), or null. */
let unavailable: string | null | undefined;
/** os.availableParallelism(), once checked. */
let cores = 1;

function whyUnavailable(): string | null {
  if (unavailable !== undefined) return unavailable;
  unavailable = (() => {
    if (proc?.versions?.node === undefined) return 'not Node (browsers run the GEMM on one thread)';
    if (typeof SharedArrayBuffer !== 'function') return 'no SharedArrayBuffer';
    const os = builtin<OsModule>('node:os');
    cores = os === null ? 1 : (os.availableParallelism?.() ?? os.cpus().length);
    if (cores < 2) return `one core available (os.availableParallelism() is ${cores})`;
    if (builtin<WorkerThreadsModule>('node:worker_threads') === null) return 'node:worker_threads is missing';
    return null;
  })();
  return unavailable;
}

/** Why threading stopped in this process (the worker failed), or null. */
let broken: string | null = null;
let worker: WorkerHandle | null = null;
let ctrl: Int32Array | null = null;
let waitedForStart = false;
const offListeners: (() => void)[] = [];

/** Counters for benchmarks and tests. */
export const threadStats = {
  /** Calls split in two. */
  split: 0,
  /** Halves the worker ran. */
  worker: 0,
  /** Halves the caller took back before the worker claimed them. */
  takenBack: 0,
  /** Eligible calls run unsplit by the 'auto' policy. */
  unsplit: 0,
};

/**
 * Use one GEMM thread, two, or let the measurements decide ('auto', the default); returns the
 * previous setting. 2 throws where a second thread cannot run (see `cpuThreads().reason`).
 */
export function setCpuThreads(n: CpuThreads): CpuThreads {
  if (n !== 1 && n !== 2 && n !== 'auto') throw new Error(`setCpuThreads takes 1, 2 or 'auto', got ${String(n)}`);
  if (n === 2) {
    const reason = broken ?? whyUnavailable();
    if (reason !== null) throw new Error(`two GEMM threads cannot run here: ${reason}`);
  }
  const prev = setting;
  setting = n;
  waitedForStart = false;
  return prev;
}

/** Thresholds (tests and benchmarks force small calls through the split); returns the previous ones. */
export function setCpuThreadTuning(next: { minMnk?: number; stallMs?: number }): { minMnk: number; stallMs: number } {
  const prev = { minMnk: tuning.minMnk, stallMs: tuning.stallMs };
  if (next.minMnk !== undefined) tuning.minMnk = next.minMnk;
  if (next.stallMs !== undefined) tuning.stallMs = next.stallMs;
  return prev;
}

export interface CpuThreadsInfo {
  setting: CpuThreads;
  /** Whether a second thread can run (Node, worker_threads, >= 2 cores, not failed). */
  available: boolean;
  /** Why not, when it cannot. */
  reason: string | null;
  /** Whether the worker is started and waiting for jobs. */
  workerReady: boolean;
  /** The 'auto' policy's choice per call shape (M x K x N, layout) it has timed both ways. */
  shapes: { shape: string; choice: 1 | 2; twoOverOne: number }[];
}

/** The current setting, whether two threads can run, and what 'auto' chose so far. */
export function cpuThreads(): CpuThreadsInfo {
  const reason = broken ?? whyUnavailable();
  return {
    setting,
    available: reason === null,
    reason,
    workerReady: workerReady(),
    shapes: policy.summary(),
  };
}

/** Called once when threading stops for good (gemm-wasm.ts drops its shared memory). */
export function onThreadsOff(listener: () => void): void {
  offListeners.push(listener);
}

/** Stop threading for the rest of the process, with one warning. */
function disable(reason: string): void {
  if (broken !== null) return;
  broken = reason;
  console.warn(`flint: the two-thread GEMM is off for this process (${reason}); GEMMs run on one thread`);
  const w = worker;
  worker = null;
  ctrl = null;
  w?.terminate().catch(() => {});
  for (const listener of offListeners) listener();
}

/** Shared memory could not be made (gemm-wasm.ts): no threads, quietly, as on an engine without them. */
export function threadsUnsupported(reason: string): void {
  unavailable = reason;
}

/** Whether a call of this size may split (one comparison for small calls). */
export function mayUseThreads(mnk: number): boolean {
  return mnk >= tuning.minMnk && setting !== 1 && broken === null && whyUnavailable() === null;
}

/** Whether the worker has started. */
export function workerStarted(): boolean {
  return ctrl !== null;
}

/** Start the worker on the shared memory and its compiled modules (gemm-wasm.ts calls this once). */
export function startWorker(memory: object, gemmModule: object, fmaModule: object | null): void {
  if (ctrl !== null || broken !== null) return;
  const wt = builtin<WorkerThreadsModule>('node:worker_threads');
  if (wt === null) return;
  try {
    const ctrlBuffer = new SharedArrayBuffer(CTRL_WORDS * 4);
    const w = new wt.Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { memory, gemmModule, fmaModule, ctrlBuffer, spinMs: tuning.spinMs },
    });
    // the worker never keeps the process alive: an idle one sleeps in Atomics.wait
    w.unref();
    w.on('error', (e) => disable(`the GEMM worker failed: ${String(e)}`));
    w.on('exit', () => {
      if (worker === w) disable('the GEMM worker exited');
    });
    worker = w;
    ctrl = new Int32Array(ctrlBuffer);
  } catch (e) {
    disable(`cannot start the GEMM worker: ${String(e)}`);
  }
}

function workerReady(): boolean {
  return ctrl !== null && Atomics.load(ctrl, STATE) === IDLE;
}

/**
 * Where this call's worker half starts, or 0 to run it unsplit: +j splits N at column j, -i
 * splits M at row i (multiples of the 8-column / 4-row micro-panels). Call after mayUseThreads.
 * In 'auto' mode it also marks the call for timing (`timedClass`).
 */
export function chooseSplit(M: number, N: number, K: number, flags: number): number {
  timedClass = -1;
  const c = ctrl;
  if (c === null) return 0;
  if (setting === 2 && !waitedForStart) {
    // forced: the first eligible call waits (at most 2 s) for the worker to come up
    waitedForStart = true;
    const t0 = performance.now();
    while (Atomics.load(c, STATE) === STARTING && performance.now() - t0 < 2000) Atomics.wait(c, STATE, STARTING, 10);
  }
  if (Atomics.load(c, STATE) !== IDLE) return 0; // starting
  // split N unless it is too narrow or M is much taller: each half packs all of the other operand
  let split = 0;
  if (N >= 16 && N * 2 >= M) split = Math.ceil(N / 16) * 8;
  else if (M >= 8) split = -(Math.ceil(M / 8) * 4);
  if (split === 0 || setting === 2) return split;
  const cls = policy.slot(M, N, K, flags);
  timedClass = cls;
  timedSplit = policy.split(cls);
  if (!timedSplit) threadStats.unsplit++;
  return timedSplit ? split : 0;
}

/** The policy slot (call shape) of the call chooseSplit marked for timing, or -1. */
export let timedClass = -1;
let timedSplit = false;

/** The marked call took `ms` (copies included). */
export function recordTime(ms: number, mnk: number): void {
  if (timedClass >= 0) policy.record(timedClass, timedSplit, ms / mnk);
  timedClass = -1;
}

/** The control words; the caller fills the job's arguments (ctrl[ARGS ..]) before `post`. */
export function jobArgs(): Int32Array {
  return ctrl as Int32Array;
}

/** Hand the filled-in job to the worker. */
export function post(fma: number): void {
  const c = ctrl as Int32Array;
  c[FMA] = fma;
  // the worker polls for the next job only when splitting is the choice (jobs come back to back),
  // not after a probe of an unsplit class, where polling would only take CPU from others
  c[SPIN] = (setting === 2 || (timedClass >= 0 && policy.busy(timedClass))) && !overloaded() ? 1 : 0;
  Atomics.store(c, STATE, POSTED);
  Atomics.notify(c, STATE);
  threadStats.split++;
}

let loadCheckedAt = Number.NEGATIVE_INFINITY;
let loadHigh = false;

/**
 * Whether the 1-minute load average exceeds the cores (checked at most once a second): then the
 * worker sleeps right after each job instead of polling, which would take CPU from others.
 */
function overloaded(): boolean {
  const now = performance.now();
  if (now - loadCheckedAt > 1000) {
    loadCheckedAt = now;
    const os = builtin<OsModule>('node:os');
    loadHigh = os !== null && os.loadavg()[0]! > cores + 0.5;
  }
  return loadHigh;
}

/** The worker's half did not come back: threading is off now; the caller reruns the call. */
export class WorkerLost extends Error {}

/**
 * After the caller's own half: true once the worker has finished its half, false when the caller
 * took the job back (and must run it now); throws WorkerLost when the worker failed or stalled.
 */
export function settle(): boolean {
  const c = ctrl as Int32Array;
  let s = Atomics.load(c, STATE);
  if (s === POSTED) {
    // give a worker that was just woken a moment to claim it
    const t0 = performance.now();
    while (s === POSTED && performance.now() - t0 < 0.05) s = Atomics.load(c, STATE);
  }
  if (s === POSTED && Atomics.compareExchange(c, STATE, POSTED, IDLE) === POSTED) {
    threadStats.takenBack++;
    return false;
  }
  const t0 = performance.now();
  s = Atomics.load(c, STATE);
  while (s === TAKEN) {
    const left = tuning.stallMs - (performance.now() - t0);
    if (left <= 0) {
      disable(`the GEMM worker did not finish its half within ${tuning.stallMs} ms`);
      throw new WorkerLost();
    }
    Atomics.wait(c, STATE, TAKEN, Math.min(left, 100));
    s = Atomics.load(c, STATE);
  }
  if (s === DONE) {
    threadStats.worker++;
    Atomics.store(c, STATE, IDLE);
    return true;
  }
  disable(s === FAILED ? 'the GEMM worker failed a call' : `the GEMM worker left an unknown state ${s}`);
  throw new WorkerLost();
}

/** Make the worker fail its next claimed job (tests): 'exit' dies mid-call, 'stall' sleeps `ms` first. */
export function injectWorkerFault(kind: 'exit' | 'stall' | null, ms = 0): void {
  const c = ctrl;
  if (c === null) throw new Error('the GEMM worker is not running');
  c[FAULT] = kind === 'exit' ? 1 : kind === 'stall' ? 2 : 0;
  c[FAULT_MS] = ms;
}

/** Samples of each mode a shape needs before its choice follows the measurements. */
const MIN_SAMPLES = 2;
/**
 * Calls are measured in windows: WINDOW consecutive eligible calls all split (or all unsplit),
 * so a split is timed with the worker as busy as it is when splitting is the choice (single
 * probes between unsplit calls found it asleep and made splitting look worse than it is). The
 * first call of a split window (the worker waking up) is not counted.
 */
const WINDOW = 16;
/**
 * Eligible calls between windows: MIN_INTERVAL, doubling up to MAX_INTERVAL while windows
 * confirm every choice (a clear loser, e.g. two threads on a loaded machine, costs less and
 * less), back to MIN_INTERVAL when one flips a choice. Windows alternate split and unsplit.
 */
const MIN_INTERVAL = 128;
const MAX_INTERVAL = 2048;
/**
 * Split only when it is at least 5% faster per call: the call's time does not show what the
 * second thread takes from the rest of the program.
 */
const SPLIT_MARGIN = 0.95;
/**
 * A mode's time is the median of its last RING calls: on a loaded machine single calls are
 * preempted for milliseconds, and a mean (even clamped) followed those outliers.
 */
const RING = 5;
/** Shapes tracked at once (a training step has a handful); a new one evicts an old one. */
const SLOTS = 64;
/** Slots probed per lookup. */
const PROBES = 4;

/**
 * Per call shape (M, N, K and the operands' layout: shapes differ in cost per unit of work, so
 * mixing them would compare one mode's cheap calls with the other's dear ones), the median time
 * per unit of M*N*K of the last RING calls unsplit and split; each shape runs its faster mode between the measuring
 * windows. Pure bookkeeping: exported for its tests.
 */
export class SplitPolicy {
  readonly #shape = new Int32Array(SLOTS * 4).fill(-1);
  /** The current estimate (median of the ring) per mode and slot. */
  readonly #time = [new Float64Array(SLOTS), new Float64Array(SLOTS)];
  readonly #count = [new Uint32Array(SLOTS), new Uint32Array(SLOTS)];
  readonly #ring = new Float64Array(SLOTS * 2 * RING);
  readonly #sorted = new Float64Array(RING);
  /** Each slot's choice when the current window started (1: split). */
  readonly #before = new Uint8Array(SLOTS);
  #sinceWindow = 0;
  #interval = MIN_INTERVAL;
  /** Calls left in the current window (0: none running). */
  #windowLeft = 0;
  #windowSplit = false;
  #nextWindowSplit = true;
  /** The next record is the split window's first call (not counted). */
  #skip = false;

  /** The slot of a shape (`flags`: the layout bits), made (evicting another) when new. */
  slot(M: number, N: number, K: number, flags: number): number {
    const h = (Math.imul(M, 0x9e3779b1) ^ Math.imul(N, 0x85ebca77) ^ Math.imul(K, 0xc2b2ae3d) ^ flags) >>> 0;
    const shape = this.#shape;
    let free = -1;
    for (let p = 0; p < PROBES; p++) {
      const slot = (h + p) & (SLOTS - 1);
      const at = slot * 4;
      if (shape[at] === M && shape[at + 1] === N && shape[at + 2] === K && shape[at + 3] === flags) return slot;
      if (free < 0 && shape[at] === -1) free = slot;
    }
    const slot = free >= 0 ? free : h & (SLOTS - 1);
    shape.set([M, N, K, flags], slot * 4);
    for (const a of [...this.#time, ...this.#count]) a[slot] = 0;
    return slot;
  }

  /** Whether the next call of `slot`'s shape should split. */
  split(slot: number): boolean {
    if (this.#windowLeft > 0) {
      this.#windowLeft--;
      return this.#windowSplit;
    }
    this.#sinceWindow++;
    // a shape without enough samples of a mode gets a window of it soon; else one is due now and then
    const needsSplit = this.#count[1]![slot]! < MIN_SAMPLES;
    const needsOne = this.#count[0]![slot]! < MIN_SAMPLES;
    if ((needsSplit || needsOne) && this.#sinceWindow > WINDOW) this.#startWindow(needsSplit);
    else if (this.#sinceWindow >= this.#interval) this.#startWindow(this.#nextWindowSplit);
    if (this.#windowLeft > 0) {
      this.#windowLeft--;
      return this.#windowSplit;
    }
    return this.prefersSplit(slot);
  }

  #startWindow(split: boolean): void {
    for (let s = 0; s < SLOTS; s++) this.#before[s] = this.#decided(s) && this.prefersSplit(s) ? 1 : 0;
    this.#windowSplit = split;
    this.#nextWindowSplit = !split;
    this.#windowLeft = WINDOW;
    this.#skip = split;
    this.#sinceWindow = 0;
  }

  #decided(slot: number): boolean {
    return this.#count[0]![slot]! >= MIN_SAMPLES && this.#count[1]![slot]! >= MIN_SAMPLES;
  }

  /** Whether splitting is the better mode of `slot`'s shape now (false until both are measured). */
  prefersSplit(slot: number): boolean {
    return this.#decided(slot) && this.#time[1]![slot]! < this.#time[0]![slot]! * SPLIT_MARGIN;
  }

  /** Whether calls split now for longer than one call (a split window or a split choice): the worker should poll. */
  busy(slot: number): boolean {
    return (this.#windowLeft > 0 && this.#windowSplit) || this.prefersSplit(slot);
  }

  /** A call of `slot`'s shape (split or not) took `t` per unit. */
  record(slot: number, split: boolean, t: number): void {
    if (this.#skip && split) this.#skip = false;
    else {
      const mode = split ? 1 : 0;
      const n = this.#count[mode]![slot]!;
      const ring = (slot * 2 + mode) * RING;
      this.#ring[ring + (n % RING)] = t;
      this.#count[mode]![slot] = n + 1;
      const have = Math.min(n + 1, RING);
      const sorted = this.#sorted.subarray(0, have);
      sorted.set(this.#ring.subarray(ring, ring + have));
      sorted.sort();
      this.#time[mode]![slot] = have % 2 ? sorted[have >> 1]! : (sorted[have / 2 - 1]! + sorted[have / 2]!) / 2;
    }
    if (this.#windowLeft === 0 && this.#sinceWindow === 0) {
      // the window's last call: did it change a decided shape's choice?
      let flipped = false;
      for (let s = 0; s < SLOTS; s++)
        if (this.#decided(s) && (this.prefersSplit(s) ? 1 : 0) !== this.#before[s]) flipped = true;
      this.#interval = flipped ? MIN_INTERVAL : Math.min(this.#interval * 2, MAX_INTERVAL);
      this.#sinceWindow = 1;
    }
  }

  /** Shapes with measurements of both modes: the current choice and the time ratio. */
  summary(): CpuThreadsInfo['shapes'] {
    const out: CpuThreadsInfo['shapes'] = [];
    for (let slot = 0; slot < SLOTS; slot++) {
      if (!this.#decided(slot)) continue;
      const [M, N, K, flags] = this.#shape.subarray(slot * 4, slot * 4 + 4);
      out.push({
        shape: `${M}x${K}x${N}${flags ? ` (${FLAG_NAMES.filter((_, i) => (flags! >> i) & 1).join(', ')})` : ''}`,
        choice: this.prefersSplit(slot) ? 2 : 1,
        twoOverOne: Number((this.#time[1]![slot]! / this.#time[0]![slot]!).toFixed(3)),
      });
    }
    return out;
  }
}

/** Layout bits of a call's shape key. */
export const A_TRANSPOSED = 1;
export const B_TRANSPOSED = 2;
export const ACCUMULATE = 4;
const FLAG_NAMES = ['At', 'Bt', 'accumulate'];

const policy = new SplitPolicy();
