import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SpareCoreMeter } from './gemm-threads.js';
import { wasmSimdAvailable } from './gemm-wasm.js';
import { expectMatches, type Gemm, problem, run } from './test-gemm.js';

type WasmModule = typeof import('./gemm-wasm.js');
type ThreadsModule = typeof import('./gemm-threads.js');

/** The thread settings read at load, unset (the suite itself may run with them forced). */
const UNSET = { FLINT_CPU_THREADS: '', FLINT_CPU_THREAD_MIN_MNK: '', FLINT_CPU_THREAD_STALL_MS: '' };

/**
 * A fresh copy of gemm-wasm.ts and gemm-threads.ts (their own memories, worker and setting), so
 * a test that breaks threading or changes the environment leaves the shared copies alone.
 */
async function fresh(env: Record<string, string> = {}): Promise<{ wasm: WasmModule; threads: ThreadsModule }> {
  vi.resetModules();
  for (const [k, v] of Object.entries({ ...UNSET, ...env })) vi.stubEnv(k, v);
  try {
    const threads = await import('./gemm-threads.js');
    const wasm = await import('./gemm-wasm.js');
    return { wasm, threads };
  } finally {
    vi.unstubAllEnvs();
    vi.resetModules();
  }
}

/** One split call with the real threshold (starts the worker), then waits for it (at most 10 s). */
async function startWorker(wasm: WasmModule, threads: ThreadsModule): Promise<void> {
  const p = problem(128, 128, 128, false, false, 1); // M*N*K = 2^21
  const t0 = Date.now();
  while (!threads.cpuThreads().workerReady && Date.now() - t0 < 10_000) {
    run(okFor(wasm), p);
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(threads.cpuThreads().workerReady).toBe(true);
}

const okFor =
  (wasm: WasmModule): Gemm =>
  (...args) => {
    expect(wasm.gemmWasm(...args)).toBe(true);
  };

describe("SpareCoreMeter (the 'auto' setting, fed CPU times)", () => {
  it('a core is spare when other processes leave at least 0.6 of one beside the caller; it stops below 0.4', () => {
    const m = new SpareCoreMeter(2);
    // one sample is no interval yet
    expect(m.sample(0, 5000, 100)).toBe(false);
    expect(m.others).toBeNaN();
    // 1 s: the machine was busy 1.2 CPU-seconds, 1.2 of them this process (both threads): others 0
    expect(m.sample(1000, 6200, 1300)).toBe(true);
    expect(m.others).toBe(0);
    // others take half a core: 0.5 spare stays above the stop line while splitting
    expect(m.sample(2000, 7200 + 500, 2300)).toBe(true);
    expect(m.others).toBeCloseTo(0.5, 12);
    // a busy process elsewhere (0.7 of a core): stop
    expect(m.sample(3000, 7700 + 1700, 3300)).toBe(false);
    // back to 0.5: not enough to start again (hysteresis)
    expect(m.sample(4000, 9400 + 1500, 4300)).toBe(false);
    // free again
    expect(m.sample(5000, 10900 + 1050, 5300)).toBe(true);
    expect(m.spare).toBe(true);
  });

  it('counts only what others use (this process may report more than the machine: clamped at 0), and scales with the CPUs', () => {
    const two = new SpareCoreMeter(2);
    two.sample(0, 0, 0);
    expect(two.sample(100, 150, 200)).toBe(true);
    expect(two.others).toBe(0);
    // one other process saturating a core of two: no spare core, whatever this process does
    const busy = new SpareCoreMeter(2);
    busy.sample(0, 0, 0);
    expect(busy.sample(1000, 2000, 1000)).toBe(false);
    expect(busy.others).toBe(1);
    // 16 CPUs, others on 10 of them: plenty spare
    const many = new SpareCoreMeter(16);
    many.sample(0, 0, 0);
    expect(many.sample(1000, 11_000, 1000)).toBe(true);
    // a clock that did not advance changes nothing
    expect(many.sample(1000, 99_999, 0)).toBe(true);
    expect(many.others).toBe(10);
  });
});

describe.runIf(wasmSimdAvailable)('two-thread GEMM split', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('every call split (threshold 1) matches one thread bit for bit, the worker running its half', async () => {
    const { wasm, threads } = await fresh({ FLINT_CPU_THREADS: '2' });
    await startWorker(wasm, threads);
    threads.setCpuThreadTuning({ minMnk: 1 });
    const ok = okFor(wasm);
    const { worker, takenBack } = threads.threadStats;
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 90 }),
        fc.integer({ min: 0, max: 90 }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.integer(),
        (M, N, K, tA, tB, pad, accumulate, seed) => {
          const p = problem(M, N, K, tA, tB, seed, { pad, accumulate });
          threads.setCpuThreads(2);
          const two = run(ok, p);
          threads.setCpuThreads(1);
          const one = run(ok, p);
          for (let i = 0; i < one.length; i++)
            if (!Object.is(one[i], two[i])) expect.fail(`C[${i}]: ${two[i]} with two threads, ${one[i]} with one`);
          expectMatches(p, two);
        },
      ),
      { numRuns: 150 },
    );
    // N split, M split (N < 16) and a big one at the real threshold
    threads.setCpuThreadTuning({ minMnk: 2 ** 21 });
    for (const [M, N, K, tA, tB] of [
      [512, 512, 512, false, false],
      [64, 784, 512, false, true],
      [784, 8, 512, true, false],
    ] as const) {
      const p = problem(M, N, K, tA, tB, 7);
      threads.setCpuThreads(2);
      const split = threads.threadStats.split;
      const two = run(ok, p);
      expect(threads.threadStats.split).toBe(split + 1);
      threads.setCpuThreads(1);
      expect(two).toEqual(run(ok, p));
    }
    expect(threads.threadStats.worker + threads.threadStats.takenBack - worker - takenBack).toBeGreaterThan(100);
    expect(threads.threadStats.worker - worker).toBeGreaterThan(50);
  });

  it("'auto' splits while the meter finds a spare core, and gives one thread's bits either way", async () => {
    const { wasm, threads } = await fresh();
    expect(threads.cpuThreads().setting).toBe('auto');
    await startWorker(wasm, threads);
    const p = problem(64, 256, 256, false, true, 3); // M*N*K = 2^22
    const one = run(okFor(wasm), p);
    // past two samples (250 ms apart) the meter has measured the machine
    const t0 = performance.now();
    while (performance.now() - t0 < 600) expect(run(okFor(wasm), p)).toEqual(one);
    expect(threads.cpuThreads().auto.othersCores).toEqual(expect.any(Number));
    const { split, unsplit } = threads.threadStats;
    run(okFor(wasm), p);
    // exactly one of the counters moved, the one the meter's answer names
    const splitting = threads.cpuThreads().auto.splitting;
    expect(threads.threadStats.split - split).toBe(splitting ? 1 : 0);
    expect(threads.threadStats.unsplit - unsplit).toBe(splitting ? 0 : 1);
    // below the threshold nothing is metered or split
    const small = problem(32, 128, 128, false, true, 4); // 2^19
    const before = { ...threads.threadStats };
    run(okFor(wasm), small);
    expect(threads.threadStats).toEqual(before);
  });

  it('setCpuThreads(1) and FLINT_CPU_THREADS=1 never split; bad settings are errors naming the value', async () => {
    const { wasm, threads } = await fresh({ FLINT_CPU_THREADS: '1', FLINT_CPU_THREAD_MIN_MNK: '1' });
    expect(threads.cpuThreads().setting).toBe(1);
    for (let i = 0; i < 5; i++) run(okFor(wasm), problem(128, 128, 128, false, false, i));
    expect(threads.threadStats.split + threads.threadStats.unsplit).toBe(0);
    expect(threads.cpuThreads().workerReady).toBe(false);
    expect(threads.setCpuThreads(2)).toBe(1);
    expect(threads.setCpuThreads(1)).toBe(2);
    expect(() => threads.setCpuThreads(3 as 2)).toThrow("setCpuThreads takes 1, 2 or 'auto', got 3");
    await expect(fresh({ FLINT_CPU_THREADS: 'four' })).rejects.toThrow(
      "FLINT_CPU_THREADS must be 1, 2 or auto, got 'four'",
    );
    await expect(fresh({ FLINT_CPU_THREAD_MIN_MNK: '-5' })).rejects.toThrow(
      "FLINT_CPU_THREAD_MIN_MNK must be a non-negative number, got '-5'",
    );
  });

  it.each([
    ['dies (exits) after claiming a job', 'exit'],
    ['stalls past the timeout, then runs its half late', 'stall'],
  ] as const)('a worker that %s: the caller reruns the call on one thread and threads stay off', async (_d, fault) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { wasm, threads } = await fresh({ FLINT_CPU_THREADS: '2' });
    await startWorker(wasm, threads);
    threads.setCpuThreadTuning({ stallMs: 200 });
    const ok = okFor(wasm);
    const p = problem(96, 200, 300, false, true, 11, { pad: 2, accumulate: true });
    threads.setCpuThreads(1);
    const one = run(ok, p);
    threads.setCpuThreads(2);
    threads.injectWorkerFault(fault, 600);
    // the fault fires on the first job the worker claims (a sleeping worker's job may be taken back)
    for (let call = 0; call < 50 && warn.mock.calls.length === 0; call++) expect(run(ok, p)).toEqual(one);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/two-thread GEMM is off .*did not finish its half within 200 ms/);
    const info = threads.cpuThreads();
    expect(info.available).toBe(false);
    expect(() => threads.setCpuThreads(2)).toThrow('two GEMM threads cannot run here: the GEMM worker did not finish');
    // after the late worker could have written: later calls run on one thread, correct
    await new Promise((r) => setTimeout(r, 800));
    const split = threads.threadStats.split;
    for (let seed = 0; seed < 3; seed++) {
      const q = problem(96, 200, 300, false, true, 20 + seed, { accumulate: seed === 1 });
      expectMatches(q, run(ok, q));
    }
    expect(run(ok, p)).toEqual(one);
    expect(threads.threadStats.split).toBe(split);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const child = fileURLToPath(new URL('./test-threads-child.ts', import.meta.url));

interface ChildRun {
  code: number | null;
  ms: number;
  out: {
    info: { setting: string; available: boolean; reason: string | null; workerReady: boolean };
    stats: { split: number; worker: number; unsplit: number };
    maxDiff: number;
  };
  stderr: string;
}

/** Runs test-threads-child.ts (under tsx), optionally pinned to one core; killed after 60 s. */
function runChild(env: Record<string, string>, oneCore = false): Promise<ChildRun> {
  const node = [process.execPath, '--import', 'tsx', child];
  const [cmd, ...args] = oneCore ? ['taskset', '-c', '0', ...node] : node;
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const p = spawn(cmd as string, args, {
      cwd: packageDir,
      env: { ...process.env, ...UNSET, ...env },
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve({ code, ms: Date.now() - t0, out: JSON.parse(line) as ChildRun['out'], stderr });
      } catch {
        reject(new Error(`child exited ${code}: ${stdout}${stderr}`));
      }
    });
  });
}

describe.runIf(wasmSimdAvailable)('two-thread GEMM in a child process', () => {
  it('the process exits by itself with the worker alive (it is unref()d), results matching', async () => {
    const r = await runChild({ FLINT_CPU_THREADS: '2' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.out.info).toMatchObject({ setting: 2, available: true, workerReady: true });
    expect(r.out.stats.worker).toBeGreaterThan(0);
    expect(r.out.maxDiff).toBeLessThan(1e-3);
    expect(r.stderr).toBe('');
  });

  it.runIf(process.platform === 'linux')(
    'one core (taskset): no worker, auto runs one thread and 2 is refused with the reason',
    async () => {
      const r = await runChild({}, true);
      expect(r.code, r.stderr).toBe(0);
      expect(r.out.info).toMatchObject({ setting: 'auto', available: false, workerReady: false });
      expect(r.out.info.reason).toBe('one core available (os.availableParallelism() is 1)');
      expect(r.out.stats.split + r.out.stats.unsplit).toBe(0);
      expect(r.out.maxDiff).toBeLessThan(1e-3);
    },
  );
});
