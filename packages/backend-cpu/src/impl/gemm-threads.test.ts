import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { A_TRANSPOSED, ACCUMULATE, B_TRANSPOSED, SplitPolicy } from './gemm-threads.js';
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

describe('SplitPolicy (the auto setting, fed times)', () => {
  /** Feeds `n` calls of one shape whose unsplit / split calls take `one` / `two`; returns the split picks. */
  const feeder =
    (policy: SplitPolicy, slot: number) =>
    (n: number, one: number, two: number): boolean[] => {
      const picks: boolean[] = [];
      for (let i = 0; i < n; i++) {
        const split = policy.split(slot);
        picks.push(split);
        policy.record(slot, split, split ? two : one);
      }
      return picks;
    };
  /** [start, length] of each run of split calls. */
  const runs = (picks: boolean[]): [number, number][] => {
    const out: [number, number][] = [];
    picks.forEach((s, i) => {
      if (!s) return;
      const last = out.at(-1);
      if (last !== undefined && last[0] + last[1] === i) last[1]++;
      else out.push([i, 1]);
    });
    return out;
  };

  it('measures in windows of 16 calls, runs the faster mode between them, and windows get rarer while they confirm', () => {
    const policy = new SplitPolicy();
    const slot = policy.slot(64, 256, 256, B_TRANSPOSED);
    const feed = feeder(policy, slot);
    // unsplit first (16 calls), then a split window; undecided until both modes have samples
    expect(runs(feed(33, 1, 2))).toEqual([[16, 16]]);
    expect(policy.summary()).toEqual([{ shape: '64x256x256 (Bt)', choice: 1, twoOverOne: 2 }]);
    // then windows alternate unsplit / split, the interval doubling (256, 512, 1024, 2048, 2048)
    // while split keeps losing: split windows at 33 + 779 and 33 + 3879
    const later = feed(8000, 1, 2);
    expect(runs(later)).toEqual([
      [779, 16],
      [3879, 16],
    ]);
    expect(later.length - later.filter((x) => x).length).toBe(8000 - 32);
    expect(policy.prefersSplit(slot)).toBe(false);
  });

  it('follows a load change at the next split window: the choice flips and windows come often again', () => {
    const policy = new SplitPolicy();
    const slot = policy.slot(512, 784, 64, A_TRANSPOSED);
    const feed = feeder(policy, slot);
    feed(3000, 1, 1.5);
    expect(policy.prefersSplit(slot)).toBe(false);
    // splitting is faster now (the machine became free): within one long interval and a window
    const after = feed(2048 + 2 * 16 + 2048, 1, 0.6);
    expect(policy.prefersSplit(slot)).toBe(true);
    expect(policy.summary()).toEqual([{ shape: '512x64x784 (At)', choice: 2, twoOverOne: expect.any(Number) }]);
    expect(after.slice(-500).filter((s) => !s).length).toBeLessThanOrEqual(32); // unsplit windows only
  });

  it('the first split of a window (the worker waking) is not counted; one outlier does not flip a choice; a 4% gain is not enough', () => {
    const policy = new SplitPolicy();
    const a = policy.slot(64, 784, 512, 0);
    const feedA = feeder(policy, a);
    feedA(33, 1, 0.5);
    let calls = 0;
    // after each split window's first call, 1000 would be an outlier; skipped, it leaves 0.5
    for (; calls < 2000; calls++) {
      const split = policy.split(a);
      policy.record(a, split, split ? 0.5 : 1);
    }
    expect(policy.summary()).toEqual([{ shape: '64x512x784', choice: 2, twoOverOne: 0.5 }]);
    policy.record(a, true, 1000);
    expect(policy.prefersSplit(a)).toBe(true);
    const b = policy.slot(64, 512, 512, ACCUMULATE);
    expect(b).not.toBe(a);
    expect(policy.slot(64, 784, 512, 0)).toBe(a);
    feeder(policy, b)(3000, 1, 0.96);
    expect(policy.prefersSplit(b)).toBe(false);
    // new shapes beyond the slots evict old ones, which start from scratch
    for (let m = 1; m <= 200; m++) policy.split(policy.slot(m, 8, 8, ACCUMULATE));
    expect(policy.summary().length).toBeLessThanOrEqual(2);
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

  it("'auto' times split and unsplit calls of a size class and gives one thread's bits either way", async () => {
    const { wasm, threads } = await fresh();
    expect(threads.cpuThreads().setting).toBe('auto');
    await startWorker(wasm, threads);
    const p = problem(64, 256, 256, false, true, 3); // M*N*K = 2^22
    const one = run(okFor(wasm), p);
    const { split, unsplit } = threads.threadStats;
    for (let i = 0; i < 40; i++) expect(run(okFor(wasm), p)).toEqual(one);
    expect(threads.threadStats.split - split).toBeGreaterThanOrEqual(2);
    expect(threads.threadStats.unsplit - unsplit).toBeGreaterThanOrEqual(2);
    const [shape] = threads.cpuThreads().shapes;
    expect(shape?.shape).toBe('64x256x256 (Bt)');
    expect(shape?.choice).toBe((shape?.twoOverOne ?? 1) < 0.95 ? 2 : 1);
    // below the threshold nothing is timed or split
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
