/**
 * `mnist bench` (the default mode): Flint's cpu backend next to PyTorch on one thread, on the
 * models and settings of issue 12's PyTorch reference run (a script outside this repository;
 * batch 64, SGD lr 0.05 momentum 0.9, cross-entropy), with the targets of issue 12.
 *
 * PyTorch runs in one persistent worker (bench/torch_worker.py) that starts from Flint's initial
 * weights and trains on the same batches, so both sides do the same work. The runs are interleaved
 * in rounds — round r: Flint N steps, then PyTorch N steps — after one untimed warm-up round each,
 * and each round gives one ratio Flint / PyTorch: the machine's load swings hit both sides alike
 * within a round, and the spread over the rounds shows how much they moved. Batch-1 inference is
 * interleaved the same way. Then Flint alone trains 1,000 steps (fresh batch per step, inside
 * tidy) while its live tensor memory and RSS are sampled.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { cpuThreads, setCpuThreads } from '@flint/backend-cpu';
import { type Tensor, fromArray, manualSeed, memory, nn, noGrad, type optim, tidy } from '@flint/core';
import type { BenchOptions } from '../cli.js';
import { DEFAULT_FASHION_MNIST_DIR, encodeIdx, findIdxPair, type ImageSet } from '../data/index.js';
import { CliError } from '../errors.js';
import { createModel } from '../models.js';
import { textTable } from '../report.js';
import { prepareOutputDir, writeFileAtomic } from '../persist.js';
import { makeOptimizer } from '../train.js';
import {
  type Spread,
  type Target,
  formatBytesPerStep,
  formatCount,
  formatMB,
  formatSpread,
  formatTarget,
  GROWTH_LIMITS,
  type MemorySeries,
  growingSeries,
  roundRatios,
  slope,
  spread,
  targetMet,
} from './bench-stats.js';
import { type Output, jsonText, loadData, textStream, writeJson } from './common.js';
import { DEFAULT_PYTHON, TorchWorker, type WireWeight, type WorkerReady, wireWeight } from './torch-worker.js';

const DEVICE = 'cpu';

/** Issue 12's targets, Flint cpu / PyTorch 1 thread. */
export const TRAINING_TARGETS: Readonly<Record<string, Target>> = {
  'mlp-small': { op: '>=', value: 0.5 },
  mlp: { op: '>=', value: 0.33 },
  lenet: { op: '>=', value: 0.5 },
};
export const LATENCY_TARGETS: Readonly<Record<string, Target>> = {
  mlp: { op: '<=', value: 2 },
  lenet: { op: '<=', value: 2 },
};

/** Steps per round by model: about half a second of Flint per round on this machine's baseline. */
export const DEFAULT_STEPS: Readonly<Record<string, number>> = { 'mlp-small': 300, mlp: 30, lenet: 20 };
export const DEFAULT_ROUNDS = 5;
/** Batch-1 calls per round by model: about 0.2 s of Flint per round on this machine's baseline. */
export const DEFAULT_INFER_CALLS: Readonly<Record<string, number>> = { 'mlp-small': 2000, mlp: 300, lenet: 300 };
export const DEFAULT_MEMORY_STEPS = 1000;
/** The reference run's learning rate for every model (its --lr). */
export const REFERENCE_LR = 0.05;
/** Both sides cycle over the first this-many training samples (the data does not change the work). */
export const SAMPLE_POOL = 10_000;

export interface RoundFigures {
  flint: number;
  pytorch: number | null;
  ratio: number | null;
}

export interface TrainingResult {
  stepsPerRound: number;
  warmupSteps: number;
  rounds: RoundFigures[];
  /** Samples/s, medians over the rounds. */
  flintSamplesPerSecond: number;
  pytorchSamplesPerSecond: number | null;
  ratio: Spread | null;
  target: Target;
  met: boolean | null;
  /** Each side's loss at the last step of the last round: the same weights and batches, so close. */
  flintLoss: number;
  pytorchLoss: number | null;
}

export interface InferenceResult {
  callsPerRound: number;
  rounds: RoundFigures[];
  /** Milliseconds per batch-1 forward pass, medians over the rounds. */
  flintMs: number;
  pytorchMs: number | null;
  ratio: Spread | null;
  target: Target | null;
  met: boolean | null;
}

export interface MemorySample {
  step: number;
  /** Live tensor bytes as core counts them, and as the backend counts its own storage. */
  coreBytes: number;
  backendBytes: number;
  handles: number;
  /** The JS heap in use, after a full garbage collection when one could be forced. */
  heapBytes: number;
  rssBytes: number;
}

export interface MemoryResult {
  steps: number;
  /** The early step the growth is measured from (step 100 of 1,000). */
  from: MemorySample;
  to: MemorySample;
  /** Least-squares slopes over the samples from `from` on, bytes per step. */
  coreBytesPerStep: number;
  backendBytesPerStep: number;
  heapBytesPerStep: number;
  rssBytesPerStep: number;
  /** Whether each sample was taken right after a forced full GC (else heap and RSS include garbage). */
  forcedGc: boolean;
  /** The series whose growth is above its limit (GROWTH_LIMITS); empty = flat. */
  growing: MemorySeries[];
  verdict: 'flat' | 'growing';
  samples: MemorySample[];
}

export interface ModelResult {
  model: string;
  training: TrainingResult;
  /** The same training forced onto 1 and 2 GEMM threads (mlp, where a second thread can run). */
  threadVariants?: { threads: 1 | 2; training: ReturnType<typeof summarizeTraining> }[];
  inference: InferenceResult;
  memory: MemoryResult | null;
}

/** A batch of the pool: batch k covers samples (k mod batches-in-pool) * batch .. + batch. */
function batchStart(k: number, batch: number, pool: number): number {
  return (k % Math.floor(pool / batch)) * batch;
}

/** Flint's side: one model and optimizer on the cpu backend, stepping through the pool's batches. */
export class FlintSide {
  readonly model: nn.Module;
  readonly optimizer: optim.Optimizer;
  private readonly size: number;

  constructor(
    name: string,
    settings: { lr: number; momentum: number; optimizer: 'sgd' | 'adam'; seed: number },
    private readonly set: Pick<ImageSet, 'images' | 'labels' | 'rows' | 'cols'>,
    private readonly pool: number,
    private readonly batch: number,
  ) {
    manualSeed(settings.seed);
    this.model = createModel(name);
    this.optimizer = makeOptimizer(this.model, settings);
    this.size = set.rows * set.cols;
  }

  /** The parameters in model.parameters() order, for the PyTorch worker. */
  weights(): WireWeight[] {
    return this.model.parameters().map((p) => wireWeight(p.shape, p.dataSync() as Float32Array));
  }

  /** Batch k uploaded as [B, 1, 28, 28] float32 and [B] int32 (inside the caller's tidy). */
  private batchAt(k: number): { x: Tensor; y: Tensor } {
    const s = batchStart(k, this.batch, this.pool);
    const labels = new Int32Array(this.batch);
    for (let i = 0; i < this.batch; i++) labels[i] = this.set.labels[s + i]!;
    return {
      x: fromArray(this.set.images.subarray(s * this.size, (s + this.batch) * this.size), [
        this.batch,
        1,
        this.set.rows,
        this.set.cols,
      ]),
      y: fromArray(labels, [this.batch], { dtype: 'int32' }),
    };
  }

  /** One step inside tidy; returns the loss tensor (kept) only when asked. */
  step(k: number, keepLoss: boolean): Tensor | null {
    return tidy(() => {
      const { x, y } = this.batchAt(k);
      this.optimizer.zeroGrad();
      const loss = nn.F.crossEntropy(this.model(x) as Tensor, y);
      loss.backward();
      this.optimizer.step();
      return keepLoss ? loss.detach() : null;
    });
  }

  /** `steps` steps on batches start, start+1, ...: seconds, the last loss, and every loss if asked. */
  train(steps: number, start: number, keepLosses = false): { seconds: number; loss: number; losses: number[] | null } {
    if (steps === 0) return { seconds: 0, loss: Number.NaN, losses: keepLosses ? [] : null };
    const losses: number[] = [];
    let last: Tensor | null = null;
    const t0 = performance.now();
    for (let k = start; k < start + steps; k++) {
      const isLast = k === start + steps - 1;
      const loss = this.step(k, keepLosses || isLast);
      if (loss !== null) {
        if (isLast) last = loss;
        else {
          losses.push(loss.item());
          loss.dispose();
        }
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const lastLoss = last!.item();
    last!.dispose();
    if (keepLosses) losses.push(lastLoss);
    return { seconds, loss: lastLoss, losses: keepLosses ? losses : null };
  }

  /** `calls` batch-1 forward passes of sample `index` in eval mode without grad, each read back. */
  infer(calls: number, index: number): { seconds: number; logits: number[] } {
    const i = index % this.pool;
    const x = fromArray(this.set.images.slice(i * this.size, (i + 1) * this.size), [
      1,
      1,
      this.set.rows,
      this.set.cols,
    ]);
    this.model.eval();
    let logits: Float32Array = new Float32Array(0);
    const t0 = performance.now();
    for (let c = 0; c < calls; c++) {
      const out = noGrad(() => tidy(() => this.model(x) as Tensor));
      logits = out.dataSync() as Float32Array;
      out.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    this.model.train();
    x.dispose();
    return { seconds, logits: Array.from(logits) };
  }

  dispose(): void {
    this.optimizer.zeroGrad();
    this.optimizer.disposeState();
    for (const p of this.model.parameters()) p.dispose();
  }
}

/**
 * The engine's full GC, exposed at run time (node --expose-gc is not needed); null where the
 * engine refuses. A sample taken after it counts what is retained, not what awaits collection:
 * without it RSS follows V8's heap sizing (it climbs for thousands of steps, then drops).
 */
export function exposedGc(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

function sampleMemory(step: number, gc: (() => void) | null): MemorySample {
  gc?.();
  const m = memory().backends[DEVICE];
  const usage = process.memoryUsage();
  return {
    step,
    coreBytes: m?.bytes ?? 0,
    backendBytes: m?.backendBytes ?? 0,
    handles: m?.handles ?? 0,
    heapBytes: usage.heapUsed,
    rssBytes: usage.rss,
  };
}

/**
 * `steps` training steps of a fresh model (a fresh batch per step, inside tidy), memory sampled
 * about 100 times; the growth is fitted from step steps/10 on (the first steps fill caches and
 * let the heap settle).
 */
export function memoryRun(side: FlintSide, steps: number, gc: (() => void) | null = exposedGc()): MemoryResult {
  const every = Math.max(1, Math.round(steps / 100));
  const from = Math.max(1, Math.round(steps / 10));
  const samples: MemorySample[] = [];
  for (let k = 1; k <= steps; k++) {
    side.step(k - 1, false);
    if (k % every === 0 || k === from || k === steps) samples.push(sampleMemory(k, gc));
  }
  const fitted = samples.filter((s) => s.step >= from);
  const x = fitted.map((s) => s.step);
  const coreBytesPerStep = slope(
    x,
    fitted.map((s) => s.coreBytes),
  );
  const backendBytesPerStep = slope(
    x,
    fitted.map((s) => s.backendBytes),
  );
  const rssBytesPerStep = slope(
    x,
    fitted.map((s) => s.rssBytes),
  );
  const heapBytesPerStep = slope(
    x,
    fitted.map((s) => s.heapBytes),
  );
  const growing = growingSeries({
    live: Math.max(coreBytesPerStep, backendBytesPerStep),
    // Without a forced GC the heap and RSS slopes measure garbage, not what is retained.
    heap: gc === null ? null : heapBytesPerStep,
    rss: gc === null ? null : rssBytesPerStep,
  });
  return {
    steps,
    from: samples.find((s) => s.step === from)!,
    to: samples[samples.length - 1]!,
    coreBytesPerStep,
    backendBytesPerStep,
    heapBytesPerStep,
    rssBytesPerStep,
    forcedGc: gc !== null,
    growing,
    verdict: growing.length === 0 ? 'flat' : 'growing',
    samples,
  };
}

/** Where the worker reads the training samples: the real IDX files, or the pool written to a temp dir. */
export function workerData(
  opts: Pick<BenchOptions, 'dataset' | 'dataDir'>,
  set: ImageSet,
  pool: number,
  synthetic: boolean,
): { images: string; labels: string; cleanup: () => void } {
  const dir = opts.dataDir ?? process.env.FLINT_FASHION_MNIST_DIR ?? DEFAULT_FASHION_MNIST_DIR;
  const files =
    !synthetic && (opts.dataset === 'fashion-mnist' || opts.dataDir !== undefined) ? findIdxPair(dir, 'train') : null;
  if (files !== null) return { ...files, cleanup: () => {} };
  const tmp = mkdtempSync(join(tmpdir(), 'flint-bench-'));
  const size = set.rows * set.cols;
  const bytes = new Uint8Array(pool * size);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(set.images[i]! * 255);
  const images = join(tmp, 'train-images-idx3-ubyte.gz');
  const labels = join(tmp, 'train-labels-idx1-ubyte.gz');
  writeFileSync(images, gzipSync(encodeIdx([pool, set.rows, set.cols], bytes)));
  writeFileSync(labels, gzipSync(encodeIdx([pool], set.labels.slice(0, pool))));
  return { images, labels, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** Seeded synthetic samples (bytes / 255 like the real images, labels 0-9) for when no data set is on disk. */
export function syntheticSet(count: number, seed: number): ImageSet {
  let state = (seed * 2654435761 + 1) >>> 0 || 1;
  const next = (): number => {
    // xorshift32: the values only need to be the same on both sides, and they are (written to IDX).
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = (next() & 255) / 255;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = next() % 10;
  return { images, labels, count, rows: 28, cols: 28, source: `synthetic (seed ${seed})` };
}

function checkFlags(opts: BenchOptions): void {
  const epochOnly = ['epochs', 'limit', 'testLimit', 'reference', 'runs', 'download'].filter((k) =>
    opts.explicit.includes(k),
  );
  if (epochOnly.length > 0) {
    const flags = epochOnly.map((k) =>
      k === 'testLimit' ? '--test-limit' : k === 'reference' ? '--no-reference' : `--${k}`,
    );
    throw new CliError(
      `${flags.join(', ')} belong to bench --full-epoch or --accuracy; the comparison with PyTorch runs --rounds rounds of --steps steps`,
      2,
    );
  }
  if (opts.backend !== DEVICE && opts.explicit.includes('backend'))
    throw new CliError(
      `bench compares Flint's cpu backend with PyTorch; for --backend ${opts.backend} use bench --full-epoch --backend ${opts.backend}`,
      2,
    );
}

export async function pytorchBench(opts: BenchOptions, io: Output): Promise<number> {
  checkFlags(opts);
  const text = textStream(io, opts.json);
  let save: ((value: unknown) => void) | null = null;
  if (opts.out !== undefined) {
    const path = join(opts.out, 'pytorch.json');
    prepareOutputDir(opts.out, 1024 * 1024);
    save = (value) => {
      writeFileAtomic(path, jsonText(value));
      text.write(`wrote ${path}\n`);
    };
  }
  const { ensureBackend } = await import('../backends.js');
  await ensureBackend(DEVICE);

  const defaultDir = process.env.FLINT_FASHION_MNIST_DIR ?? DEFAULT_FASHION_MNIST_DIR;
  const synthetic = opts.dataset === 'fashion-mnist' && opts.dataDir === undefined && !existsSync(defaultDir);
  let set: ImageSet;
  let dataNote: string;
  if (synthetic) {
    set = syntheticSet(4096, opts.seed);
    dataNote = `synthetic: 4,096 seeded random images and labels (${defaultDir} not found; Debian: apt-get install -y dataset-fashion-mnist)`;
  } else {
    const ds = await loadData(opts, io);
    set = ds.train;
    dataNote = ds.description;
  }
  const batch = opts.batchSize;
  const pool = Math.min(SAMPLE_POOL, set.count - (set.count % batch));
  if (pool < batch)
    throw new CliError(`--batch-size ${batch} is more than the ${set.count} training samples there are`, 2);
  const lr = opts.lr ?? (opts.optimizer === 'adam' ? 1e-3 : REFERENCE_LR);
  const rounds = opts.rounds ?? DEFAULT_ROUNDS;
  const memorySteps = opts.memorySteps ?? DEFAULT_MEMORY_STEPS;
  const load0 = loadavg();

  let worker: TorchWorker | null = null;
  let ready: WorkerReady | null = null;
  let skipped: string | null = null;
  if (opts.pytorch === false) skipped = '--no-pytorch';
  else {
    const started = await TorchWorker.start(opts.python ?? DEFAULT_PYTHON);
    if (typeof started === 'string') skipped = started;
    else ({ worker, ready } = started);
  }
  const data = worker === null ? null : workerData(opts, set, pool, synthetic);
  try {
    if (worker !== null && data !== null) await worker.load(data.images, data.labels, pool);
    const settings = `batch ${batch}, ${opts.optimizer === 'sgd' ? `SGD lr ${lr} momentum ${opts.momentum}` : `Adam lr ${lr}`}, cross-entropy`;
    text.write(
      `bench: Flint cpu vs ${ready === null ? 'PyTorch (not run)' : `PyTorch ${ready.torch} on ${ready.threads} thread (OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1, torch.set_num_threads(1))`}\n` +
        `${rounds} interleaved rounds (Flint, then PyTorch, on the same batches from the same weights) after an untimed warm-up; ${settings}\n` +
        `data: ${dataNote}; both sides cycle over the first ${formatCount(pool)} training samples\n` +
        `load average: ${load0.map((l) => l.toFixed(2)).join(' ')}\n` +
        `Flint GEMM threads: ${threadsLine()}\n`,
    );
    if (skipped !== null) text.write(`PyTorch skipped: ${skipped}; Flint's figures only\n`);

    const results: ModelResult[] = [];
    for (const model of opts.models) {
      const steps = opts.steps ?? DEFAULT_STEPS[model] ?? 50;
      const warmup = opts.warmup ?? steps;
      const inferCalls = opts.inferCalls ?? DEFAULT_INFER_CALLS[model] ?? 300;
      const variants: { threads: 1 | 2; side: FlintSide; rounds: RoundFigures[] }[] = [];
      const flint = new FlintSide(
        model,
        { lr, momentum: opts.momentum, optimizer: opts.optimizer, seed: opts.seed },
        set,
        pool,
        batch,
      );
      try {
        if (worker !== null)
          await worker.build({
            model,
            lr,
            momentum: opts.momentum,
            optimizer: opts.optimizer,
            batch,
            weights: flint.weights(),
          });
        text.write(`${model}: training, ${rounds} rounds of ${steps} steps...\n`);
        // Warm-up (untimed): the JIT, the caches, the allocator's first blocks.
        if (warmup > 0) {
          flint.train(warmup, 0);
          if (worker !== null) await worker.train(warmup, 0);
        }
        // the mlp also on 1 and 2 GEMM threads (forced; the main row runs the process's setting),
        // each on its own copy of the model, stepping in lock-step with the main one
        for (const threads of model === 'mlp' && cpuThreads().available ? ([1, 2] as const) : []) {
          const side = new FlintSide(
            model,
            { lr, momentum: opts.momentum, optimizer: opts.optimizer, seed: opts.seed },
            set,
            pool,
            batch,
          );
          variants.push({ threads, side, rounds: [] });
          if (warmup > 0) withThreads(threads, () => side.train(warmup, 0));
        }
        const trainRounds: RoundFigures[] = [];
        let flintLoss = Number.NaN;
        let pytorchLoss: number | null = null;
        for (let r = 0; r < rounds; r++) {
          const start = warmup + r * steps;
          const f = flint.train(steps, start);
          const fv = variants.map((v) => withThreads(v.threads, () => v.side.train(steps, start)));
          const p = worker === null ? null : await worker.train(steps, start);
          flintLoss = f.loss;
          pytorchLoss = p?.loss ?? null;
          const fs = (steps * batch) / f.seconds;
          const ps = p === null ? null : (steps * batch) / p.seconds;
          trainRounds.push({ flint: fs, pytorch: ps, ratio: ps === null ? null : fs / ps });
          variants.forEach((v, i) => {
            const vs = (steps * batch) / fv[i]!.seconds;
            v.rounds.push({ flint: vs, pytorch: ps, ratio: ps === null ? null : vs / ps });
          });
        }
        const training = summarizeTraining(trainRounds, TRAINING_TARGETS[model] ?? { op: '>=', value: 0.5 });

        text.write(`${model}: batch-1 inference, ${rounds} rounds of ${inferCalls} calls...\n`);
        flint.infer(Math.max(1, inferCalls >> 2), 0);
        if (worker !== null) await worker.infer(Math.max(1, inferCalls >> 2), 0);
        const inferRounds: RoundFigures[] = [];
        for (let r = 0; r < rounds; r++) {
          const f = flint.infer(inferCalls, r);
          const p = worker === null ? null : await worker.infer(inferCalls, r);
          const fm = (f.seconds * 1000) / inferCalls;
          const pm = p === null ? null : (p.seconds * 1000) / inferCalls;
          inferRounds.push({ flint: fm, pytorch: pm, ratio: pm === null ? null : fm / pm });
        }
        const inference = summarizeInference(inferRounds, LATENCY_TARGETS[model] ?? null, inferCalls);
        const target = TRAINING_TARGETS[model] ?? { op: '>=', value: 0.5 };
        results.push({
          model,
          training: { ...training, stepsPerRound: steps, warmupSteps: warmup, flintLoss, pytorchLoss },
          ...(variants.length > 0
            ? {
                threadVariants: variants.map((v) => ({
                  threads: v.threads,
                  training: summarizeTraining(v.rounds, v.threads === 2 ? { op: '>=', value: 0.5 } : target),
                })),
              }
            : {}),
          inference,
          memory: null,
        });
      } finally {
        flint.dispose();
        for (const v of variants.splice(0)) v.side.dispose();
      }
    }
    worker?.close();
    worker = null;

    if (memorySteps > 0) {
      for (const r of results) {
        text.write(`${r.model}: memory over ${formatCount(memorySteps)} training steps...\n`);
        const side = new FlintSide(
          r.model,
          { lr, momentum: opts.momentum, optimizer: opts.optimizer, seed: opts.seed },
          set,
          pool,
          batch,
        );
        try {
          r.memory = memoryRun(side, memorySteps);
        } finally {
          side.dispose();
        }
      }
    }
    const load1 = loadavg();
    text.write(`\n${formatReport(results, { rounds, withPytorch: ready !== null })}\n`);
    text.write(`load average at the end: ${load1.map((l) => l.toFixed(2)).join(' ')}\n`);
    text.write(`Flint GEMM threads at the end: ${threadsLine()}\n`);
    const result = {
      mode: 'pytorch',
      pytorch: ready,
      pytorchSkipped: skipped,
      data: dataNote,
      samplePool: pool,
      batchSize: batch,
      optimizer: opts.optimizer,
      lr,
      momentum: opts.momentum,
      rounds,
      loadAverage: { start: load0, end: load1 },
      gemmThreads: cpuThreads(),
      models: results,
    };
    save?.(result);
    if (opts.json === true) writeJson(io, result);
    return 0;
  } finally {
    worker?.close();
    data?.cleanup();
  }
}

/** Run `f` with the GEMM forced onto `threads` threads. */
function withThreads<T>(threads: 1 | 2, f: () => T): T {
  const prev = setCpuThreads(threads);
  try {
    return f();
  } finally {
    setCpuThreads(prev);
  }
}

/** The GEMM thread setting, whether a second thread can run, and what 'auto' sees now. */
function threadsLine(): string {
  const t = cpuThreads();
  const auto =
    t.setting === 'auto' && t.available && t.auto.othersCores !== null
      ? `; auto: other processes used ${t.auto.othersCores} cores lately, so ${t.auto.splitting ? 'two threads' : 'one thread'}`
      : '';
  return `${t.setting}, ${t.available ? 'a second thread can run' : `one thread only: ${t.reason}`}${auto}`;
}

/** The spread of the per-round ratios Flint / PyTorch (every round has a PyTorch figure). */
function pairedRatio(rounds: readonly RoundFigures[]): ReturnType<typeof spread> {
  return spread(
    roundRatios(
      rounds.map((r) => r.flint),
      rounds.map((r) => r.pytorch!),
    ),
  );
}

export function summarizeTraining(
  rounds: readonly RoundFigures[],
  target: Target,
): Omit<TrainingResult, 'stepsPerRound' | 'warmupSteps' | 'flintLoss' | 'pytorchLoss'> {
  const flint = spread(rounds.map((r) => r.flint)).median;
  const withTorch = rounds.every((r) => r.pytorch !== null);
  const ratio = withTorch ? pairedRatio(rounds) : null;
  return {
    rounds: [...rounds],
    flintSamplesPerSecond: flint,
    pytorchSamplesPerSecond: withTorch ? spread(rounds.map((r) => r.pytorch!)).median : null,
    ratio,
    target,
    met: ratio === null ? null : targetMet(ratio.median, target),
  };
}

export function summarizeInference(
  rounds: readonly RoundFigures[],
  target: Target | null,
  callsPerRound: number,
): InferenceResult {
  const withTorch = rounds.every((r) => r.pytorch !== null);
  const ratio = withTorch ? pairedRatio(rounds) : null;
  return {
    callsPerRound,
    rounds: [...rounds],
    flintMs: spread(rounds.map((r) => r.flint)).median,
    pytorchMs: withTorch ? spread(rounds.map((r) => r.pytorch!)).median : null,
    ratio,
    target,
    met: ratio === null || target === null ? null : targetMet(ratio.median, target),
  };
}

function metCell(met: boolean | null): string {
  return met === null ? '-' : met ? 'yes' : 'NO';
}

/** The three tables: training, batch-1 inference, memory. */
export function formatReport(results: readonly ModelResult[], info: { rounds: number; withPytorch: boolean }): string {
  const parts: string[] = [];
  parts.push(
    `training samples/s (medians over ${info.rounds} rounds; ratio = Flint / PyTorch per round: median (min–max))\n${textTable(
      ['model', 'steps/round', 'Flint cpu', 'PyTorch', 'ratio', 'target', 'met', 'last loss Flint / PyTorch'],
      results.flatMap((r) => {
        const t = r.training;
        const row = (label: string, v: ReturnType<typeof summarizeTraining>, loss: string): string[] => [
          label,
          String(t.stepsPerRound),
          formatCount(v.flintSamplesPerSecond),
          v.pytorchSamplesPerSecond === null ? '-' : formatCount(v.pytorchSamplesPerSecond),
          v.ratio === null ? '-' : formatSpread(v.ratio),
          formatTarget(v.target),
          metCell(v.met),
          loss,
        ];
        return [
          row(r.model, t, `${t.flintLoss.toFixed(4)} / ${t.pytorchLoss === null ? '-' : t.pytorchLoss.toFixed(4)}`),
          ...(r.threadVariants ?? []).map((v) =>
            row(`${r.model}, ${v.threads} thread${v.threads === 1 ? '' : 's'}`, v.training, ''),
          ),
        ];
      }),
    )}`,
  );
  parts.push(
    `batch-1 inference, ms per call (eval mode, no grad; medians over ${info.rounds} rounds; ratio = Flint / PyTorch per round)\n${textTable(
      ['model', 'calls/round', 'Flint cpu', 'PyTorch', 'ratio', 'target', 'met'],
      results.map((r) => {
        const i = r.inference;
        return [
          r.model,
          String(i.callsPerRound),
          i.flintMs.toFixed(3),
          i.pytorchMs === null ? '-' : i.pytorchMs.toFixed(3),
          i.ratio === null ? '-' : formatSpread(i.ratio),
          formatTarget(i.target),
          metCell(i.met),
        ];
      }),
    )}`,
  );
  const withMemory = results.filter((r) => r.memory !== null);
  if (withMemory.length > 0) {
    const m0 = withMemory[0]!.memory!;
    const [a, b] = [`@${m0.from.step}`, `@${m0.to.step}`];
    parts.push(
      `memory over ${formatCount(m0.steps)} training steps on Flint cpu (fresh batch per step, inside tidy; growth/step = least-squares slope from step ${m0.from.step} on)\n${textTable(
        [
          'model',
          `live MB ${a}`,
          b,
          'growth/step',
          `JS heap MB ${a}`,
          b,
          'growth/step',
          `RSS MB ${a}`,
          b,
          'growth/step',
          'verdict',
        ],
        withMemory.map((r) => {
          const m = r.memory!;
          return [
            r.model,
            `${formatMB(m.from.coreBytes)} (${formatMB(m.from.backendBytes)})`,
            `${formatMB(m.to.coreBytes)} (${formatMB(m.to.backendBytes)})`,
            formatBytesPerStep(Math.max(m.coreBytesPerStep, m.backendBytesPerStep)),
            formatMB(m.from.heapBytes),
            formatMB(m.to.heapBytes),
            formatBytesPerStep(m.heapBytesPerStep),
            formatMB(m.from.rssBytes),
            formatMB(m.to.rssBytes),
            formatBytesPerStep(m.rssBytesPerStep),
            m.verdict === 'flat' ? 'flat' : `GROWING (${m.growing.join(', ')})`,
          ];
        }),
      )}\nlive MB = tensor bytes as core counts them (the backend's own count of its storage in parentheses). ` +
        (m0.forcedGc
          ? `Each sample follows a full GC. flat = live memory does not grow, the JS heap grows less than ${formatCount(GROWTH_LIMITS.heap)} B and RSS less than ${formatCount(GROWTH_LIMITS.rss)} B per step.`
          : 'No GC could be forced: the JS heap and RSS include garbage awaiting collection, so only live memory is judged.'),
    );
  }
  if (!info.withPytorch) parts.push('(no PyTorch figures: ratios and targets need PyTorch)');
  return parts.join('\n\n');
}
