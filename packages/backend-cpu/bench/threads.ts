/**
 * The two-thread GEMM split against one thread, interleaved call by call in one process (same
 * operands; one thread in the plain memory, two in the shared one, as the 'auto' policy compares
 * them): GFLOP/s median (best) per shape, whether the results match bit for bit, and the load
 * average. Then 'auto' against one thread, round by round over the same shapes, and what it chose.
 * Run: npx tsx bench/threads.ts [--reps 200]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { cpuThreads, setCpuThreads, setCpuThreadTuning, threadStats } from '../src/impl/gemm-threads.js';
import { gemmWasm } from '../src/impl/gemm-wasm.js';

const { values: args } = parseArgs({ options: { reps: { type: 'string', default: '200' } } });
const reps = Number(args.reps);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(JSON.stringify({ load_average_before: load() }));
setCpuThreads(2);
{
  // one eligible call starts the worker
  const x = new Float32Array(128 * 128);
  const v = { data: x, offset: 0, rs: 128, cs: 1 };
  const t0 = performance.now();
  while (!cpuThreads().workerReady && performance.now() - t0 < 5000) {
    gemmWasm(128, 128, 128, v, v, new Float32Array(128 * 128), 0, 128, false);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// [name, M, K, N, transposeA, transposeB]
const shapes: [string, number, number, number, boolean, boolean][] = [
  ['64x784x512 Bt (linear fwd)', 64, 784, 512, false, true],
  ['64x512x784 (input grad)', 64, 512, 784, false, false],
  ['512x64x784 At (weight grad)', 512, 64, 784, true, false],
  ['64x512x512 Bt', 64, 512, 512, false, true],
  ['512x512x512', 512, 512, 512, false, false],
  ['16x150x1500 (conv2 fwd chunk)', 16, 150, 1500, false, false],
  ['64x784x512 Bt again', 64, 784, 512, false, true],
  // around the threshold (M*N*K = 2^21 by default: forced through the split here)
  ['64x256x128 Bt (MNK 2^21)', 64, 256, 128, false, true],
  ['64x128x128 Bt (MNK 2^20)', 64, 128, 128, false, true],
  ['32x128x128 Bt (MNK 2^19)', 32, 128, 128, false, true],
  ['64x256x256 Bt (MNK 2^22)', 64, 256, 256, false, true],
  ['6x150x1500 (MNK 1.35M)', 6, 150, 1500, false, false],
];
setCpuThreadTuning({ minMnk: 1 });
const problems: (() => void)[] = [];
for (const [name, M, K, N, tA, tB] of shapes) {
  const A = Float32Array.from({ length: M * K }, () => Math.random() - 0.5);
  const B = Float32Array.from({ length: K * N }, () => Math.random() - 0.5);
  const a = tA ? { data: A, offset: 0, rs: 1, cs: M } : { data: A, offset: 0, rs: K, cs: 1 };
  const b = tB ? { data: B, offset: 0, rs: 1, cs: K } : { data: B, offset: 0, rs: N, cs: 1 };
  const c1 = new Float32Array(M * N);
  const c2 = new Float32Array(M * N);
  const times: number[][] = [[], []];
  const before = { ...threadStats };
  for (let r = 0; r < reps + 10; r++)
    for (const t of [1, 2] as const) {
      setCpuThreads(t);
      const s = performance.now();
      gemmWasm(M, N, K, a, b, t === 1 ? c1 : c2, 0, N, false);
      if (r >= 10) times[t - 1]!.push(performance.now() - s);
    }
  let same = true;
  for (let i = 0; i < M * N; i++) if (!Object.is(c1[i], c2[i])) same = false;
  const gf = (ts: number[]): string => {
    const sorted = [...ts].sort((x, y) => x - y);
    const f = (ms: number): string => ((2 * M * N * K) / ms / 1e6).toFixed(1);
    return `${f(sorted[sorted.length >> 1]!)} (${f(sorted[0]!)})`;
  };
  const med = (ts: number[]): number => [...ts].sort((x, y) => x - y)[ts.length >> 1]!;
  console.log(
    JSON.stringify({
      shape: name,
      one_thread: gf(times[0]!),
      two_threads: gf(times[1]!),
      speedup: Number((med(times[0]!) / med(times[1]!)).toFixed(2)),
      bit_identical: same,
      split: threadStats.split - before.split,
      worker: threadStats.worker - before.worker,
      taken_back: threadStats.takenBack - before.takenBack,
    }),
  );
  problems.push(() => gemmWasm(M, N, K, a, b, c2, 0, N, false));
}
console.log(JSON.stringify({ load_average_after: load() }));

// 'auto' at the real threshold against one thread, round by round (a round: every shape once, as
// in a training step): median ms per round each and their ratio
setCpuThreadTuning({ minMnk: 2 ** 21 });
const roundMs: number[][] = [[], []];
for (let r = 0; r < reps; r++)
  for (const [k, t] of [[0, 'auto'] as const, [1, 1] as const]) {
    setCpuThreads(t);
    const s = performance.now();
    for (const p of problems) p();
    roundMs[k]!.push(performance.now() - s);
  }
const median = (ts: number[]): number => [...ts].sort((x, y) => x - y)[ts.length >> 1]!;
const [auto, one] = roundMs.map(median) as [number, number];
console.log(
  JSON.stringify({
    auto_ms_per_round: Number(auto.toFixed(3)),
    one_thread_ms_per_round: Number(one.toFixed(3)),
    one_over_auto: Number((one / auto).toFixed(3)),
    load_average: load(),
    auto: cpuThreads().auto,
  }),
);
