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
 * every eligible call; 'auto' (the default) splits while the machine has a core to spare. On free
 * cores every split shape of the three reference models measured faster (bench/threads.ts:
 * 1.14-1.73x at M*N*K >= 2^21); on a loaded machine the split lost (0.70x of one thread at load
 * average 10-13), because the caller waits for a worker the OS does not run. So 'auto' meters the
 * CPU time the rest of the machine uses (os.cpus() busy time minus this process's own
 * process.cpuUsage(), every 250 ms) and splits while that leaves at least 0.6 of a core beside the
 * caller's thread (stops below 0.4). An earlier 'auto' that timed split against unsplit calls
 * per shape misjudged on free cores (it settled on one thread at 0.65x of the forced split's
 * speed: single calls' times did not show the gain whole steps did). The same meter tells the
 * worker whether to poll after a job (forced splitting on a busy machine: it sleeps at once).
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
  /** 'auto': whether it splits now (a core is spare), and the cores other processes used lately (null before two samples). */
  auto: { splitting: boolean; othersCores: number | null };
}

/** The current setting, whether two threads can run, and what 'auto' chose so far. */
export function cpuThreads(): CpuThreadsInfo {
  const reason = broken ?? whyUnavailable();
  return {
    setting,
    available: reason === null,
    reason,
    workerReady: workerReady(),
    auto: {
      splitting: meter?.spare ?? false,
      othersCores: meter === null || Number.isNaN(meter.others) ? null : Number(meter.others.toFixed(2)),
    },
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
 */
export function chooseSplit(M: number, N: number): number {
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
  if (spareCore()) return split;
  threadStats.unsplit++;
  return 0;
}

/** The control words; the caller fills the job's arguments (ctrl[ARGS ..]) before `post`. */
export function jobArgs(): Int32Array {
  return ctrl as Int32Array;
}

/** Hand the filled-in job to the worker. */
export function post(fma: number): void {
  const c = ctrl as Int32Array;
  c[FMA] = fma;
  // splitting, jobs come back to back: the worker polls a while for the next one, unless no core
  // is spare (only when forced to 2), where polling would only take CPU from others
  c[SPIN] = spareCore() ? 1 : 0;
  Atomics.store(c, STATE, POSTED);
  Atomics.notify(c, STATE);
  threadStats.split++;
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

/**
 * 'auto''s view of the machine: how much CPU the rest of it (other processes) used over the last
 * sample interval, from cumulative machine busy time (summed over CPUs) and this process's own
 * CPU time (all its threads, the worker included). Pure bookkeeping, fed numbers: exported for
 * its tests.
 */
export class SpareCoreMeter {
  #wall = Number.NaN;
  #busy = 0;
  #own = 0;
  #spare = false;
  /** Cores the other processes kept busy in the last interval (NaN before two samples). */
  others = Number.NaN;

  /** `cpus`: the CPUs the busy time is summed over. */
  constructor(readonly cpus: number) {}

  /** Whether a core is spare beside the caller's thread, after a sample at `wallMs` (ms). */
  sample(wallMs: number, machineBusyMs: number, ownCpuMs: number): boolean {
    const dt = wallMs - this.#wall;
    if (dt > 0) {
      this.others = Math.max(0, machineBusyMs - this.#busy - (ownCpuMs - this.#own)) / dt;
      const spare = this.cpus - 1 - this.others;
      // hysteresis, so a load near the edge does not flip the choice every interval
      this.#spare = spare >= (this.#spare ? SPARE_STOP : SPARE_START);
    }
    this.#wall = wallMs;
    this.#busy = machineBusyMs;
    this.#own = ownCpuMs;
    return this.#spare;
  }

  get spare(): boolean {
    return this.#spare;
  }
}

/** Start splitting with this much of a core left idle by others beside the caller; stop below SPARE_STOP. */
const SPARE_START = 0.6;
const SPARE_STOP = 0.4;
/** How often 'auto' samples the machine (os.cpus() costs ~40 us). */
const SAMPLE_MS = 250;

interface CpuTimes {
  times: { user: number; nice: number; sys: number; irq: number };
}
interface CpuUsageProcess {
  cpuUsage?: () => { user: number; system: number };
}

let meter: SpareCoreMeter | null = null;
let sampledAt = Number.NEGATIVE_INFINITY;

/** Whether 'auto' should split now: a fresh sample every SAMPLE_MS, else the last answer. */
function spareCore(): boolean {
  const now = performance.now();
  if (meter !== null && now - sampledAt < SAMPLE_MS) return meter.spare;
  sampledAt = now;
  const os = builtin<OsModule>('node:os');
  const usage = (proc as CpuUsageProcess | undefined)?.cpuUsage;
  if (os === null || usage === undefined) return false;
  const cpus = os.cpus() as CpuTimes[];
  let busy = 0;
  for (const { times: t } of cpus) busy += t.user + t.nice + t.sys + t.irq;
  const own = usage();
  meter ??= new SpareCoreMeter(cpus.length);
  return meter.sample(now, busy, (own.user + own.system) / 1000);
}
