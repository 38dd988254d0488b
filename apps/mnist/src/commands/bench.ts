/**
 * bench (default): Flint's cpu backend vs PyTorch on one thread, interleaved in rounds
 * (bench-pytorch.ts).
 *
 * bench --full-epoch: one epoch of Fashion-MNIST (or --limit samples) per model per backend —
 * samples/s, peak memory, test accuracy — next to the same MLPs written directly in TensorFlow.js
 * tfjs-layers on the same tfjs engine (packages/backend-tfjs/bench/tfjs-layers-reference.ts, spawned).
 *
 * bench --accuracy: each model trained 10 epochs on the embedded MNIST with the default settings,
 * test accuracy on the real test set compared with the accuracy the issue requires.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchOptions } from '../cli.js';
import { engineOf, resolveBackends } from '../backends.js';
import { modelSpec } from '../models.js';
import { startEpochProgress } from '../progress.js';
import { formatPercent, textTable } from '../report.js';
import { Trainer, evaluate } from '../train.js';
import { prepareOutputDir, writeFileAtomic } from '../persist.js';
import { CliError } from '../errors.js';
import { pytorchBench } from './bench-pytorch.js';
import { jsonText, learningRate, loadData, textStream, writeJson, type Output } from './common.js';

export interface BenchRow {
  implementation: 'flint' | 'tfjs-layers';
  model: string;
  backend: string;
  engine: string;
  samples: number;
  seconds: number;
  samplesPerSecond: number;
  /** Largest live tensor bytes on the device during a step (flint: core's count; tfjs-layers: n/a). */
  peakDeviceMB: number | null;
  /** The process's resident-set high-water mark so far (MB; it only grows across rows). */
  peakRssMB: number | null;
  testAccuracy: number | null;
  note?: string;
}

/** tfjs-layers reference models by Flint model name (the reference script has the two MLPs). */
const REFERENCE_MODELS: Record<string, string> = { 'mlp-small': 'small', mlp: 'large' };

function peakRssMB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/** packages/backend-tfjs/bench/tfjs-layers-reference.ts, found through the installed @flint/backend-tfjs. */
export function referenceScript(): string | null {
  try {
    const main = createRequire(import.meta.url).resolve('@flint/backend-tfjs');
    const script = join(dirname(main), '..', 'bench', 'tfjs-layers-reference.ts');
    return existsSync(script) ? script : null;
  } catch {
    return null;
  }
}

interface ReferenceLine {
  engine: string;
  model: string;
  steps: number;
  seconds: number;
  samplesPerSec: number;
  batch: number;
}

/** Run the reference script with tsx in its own package (where its tfjs-layers dependency lives). */
export function runReference(
  script: string,
  engine: string,
  models: string[],
  seconds: number,
  dataDir: string | undefined,
): Promise<ReferenceLine[]> {
  const args = [
    '--import',
    'tsx',
    script,
    '--engines',
    engine,
    '--models',
    models.join(','),
    '--seconds',
    String(seconds),
  ];
  if (dataDir !== undefined) args.push('--data', dataDir);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: join(dirname(script), '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`tfjs-layers reference exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      resolve(
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as ReferenceLine),
      );
    });
  });
}

/** With --out: check the directory before the (long) run, write the result after it. */
function resultFile(opts: BenchOptions, name: string): ((value: unknown, io: Output) => void) | null {
  if (opts.out === undefined) return null;
  const path = join(opts.out, name);
  prepareOutputDir(opts.out, 1024 * 1024);
  return (value, io) => {
    writeFileAtomic(path, jsonText(value));
    textStream(io, opts.json).write(`wrote ${path}\n`);
  };
}

export async function bench(opts: BenchOptions, io: Output): Promise<number> {
  if (opts.accuracy === true && opts.fullEpoch === true)
    throw new CliError('bench --accuracy and --full-epoch are two different benchmarks: give one of them', 2);
  if (opts.accuracy === true || opts.fullEpoch === true) {
    const pytorchOnly = [
      ['rounds', '--rounds'],
      ['steps', '--steps'],
      ['warmup', '--warmup'],
      ['inferCalls', '--infer-calls'],
      ['memorySteps', '--memory-steps'],
      ['pytorch', '--no-pytorch'],
      ['python', '--python'],
    ].filter(([k]) => opts.explicit.includes(k!));
    if (pytorchOnly.length > 0)
      throw new CliError(
        `${pytorchOnly.map(([, f]) => f).join(', ')} belong to the comparison with PyTorch (bench without --${opts.accuracy === true ? 'accuracy' : 'full-epoch'})`,
        2,
      );
  }
  if (opts.accuracy === true) return accuracyBench(opts, io);
  if (opts.fullEpoch === true) return epochBench(opts, io);
  return pytorchBench(opts, io);
}

/** bench --full-epoch: one epoch per model per backend, next to tfjs-layers on the tfjs engine. */
export async function epochBench(opts: BenchOptions, io: Output): Promise<number> {
  const writeResult = resultFile(opts, 'bench.json');
  const text = textStream(io, opts.json);
  const backends = await resolveBackends(opts.backend);
  const ds = await loadData(opts, io);
  const epochs = opts.epochs ?? 1;
  text.write(
    `bench: ${epochs} epoch(s) of ${ds.name}, ${ds.train.count} training samples, batch ${opts.batchSize}; ${ds.description}\n`,
  );
  text.write(`backends: ${backends.map((b) => `${b} (${engineOf(b)})`).join(', ')}\n\n`);
  const rows: BenchRow[] = [];
  for (const model of opts.models) {
    for (const backend of backends) {
      const lr = learningRate({ ...opts, model });
      const trainer = Trainer.create({
        model,
        device: backend,
        epochs: epochs,
        batchSize: opts.batchSize,
        lr,
        optimizer: opts.optimizer,
        momentum: opts.momentum,
        seed: opts.seed,
      });
      let samples = 0;
      let seconds = 0;
      for (let e = 1; e <= epochs; e++) {
        const bar = startEpochProgress(
          { out: text, err: io.err },
          `${model} on ${backend} epoch ${e}/${epochs}`,
          ds.train.count,
        );
        const rec = await trainer.trainEpoch(ds.train, null, (done, loss, acc, sps) =>
          bar.update({ done, loss, accuracy: acc, samplesPerSecond: sps }),
        );
        bar.stop();
        samples += ds.train.count;
        seconds += rec.seconds;
      }
      const ev = await evaluate(trainer.model, ds.test, backend);
      rows.push({
        implementation: 'flint',
        model,
        backend,
        engine: engineOf(backend),
        samples,
        seconds: Number(seconds.toFixed(2)),
        samplesPerSecond: Math.round(samples / seconds),
        peakDeviceMB: Math.round((trainer.peakBytes / 2 ** 20) * 10) / 10,
        peakRssMB: peakRssMB(),
        testAccuracy: ev.accuracy,
      });
      trainer.dispose();
    }
  }
  if (opts.reference && backends.includes('tfjs')) {
    const script = referenceScript();
    const refModels = opts.models.filter((m) => REFERENCE_MODELS[m] !== undefined);
    const engine = engineOf('tfjs');
    if (script === null) {
      text.write(
        'tfjs-layers reference: bench/tfjs-layers-reference.ts not found next to @flint/backend-tfjs; skipped\n',
      );
    } else if (refModels.length > 0) {
      // Give the reference about as long as Flint's tfjs runs took (at least 3 s per model).
      const flintTfjs = rows.filter((r) => r.backend === 'tfjs');
      const secs = Math.max(
        3,
        Math.min(30, Math.round(flintTfjs.reduce((a, r) => a + r.seconds, 0) / Math.max(1, flintTfjs.length))),
      );
      text.write(`tfjs-layers reference on tfjs engine '${engine}' (${refModels.join(', ')}, ~${secs}s each)...\n`);
      try {
        const lines = await runReference(
          script,
          engine,
          refModels.map((m) => REFERENCE_MODELS[m]!),
          secs,
          opts.dataset === 'fashion-mnist' ? opts.dataDir : undefined,
        );
        for (const l of lines) {
          const model = Object.keys(REFERENCE_MODELS).find((m) =>
            l.model.includes(REFERENCE_MODELS[m] === 'small' ? '16-16' : '512-512'),
          )!;
          rows.push({
            implementation: 'tfjs-layers',
            model,
            backend: 'tfjs',
            engine: l.engine,
            samples: l.steps * l.batch,
            seconds: l.seconds,
            samplesPerSecond: l.samplesPerSec,
            peakDeviceMB: null,
            peakRssMB: null,
            testAccuracy: null,
            note: `reference: ${l.model}, timed run on Fashion-MNIST`,
          });
        }
      } catch (error) {
        text.write(`tfjs-layers reference failed: ${(error as Error).message}\n`);
      }
    }
    for (const m of opts.models)
      if (REFERENCE_MODELS[m] === undefined)
        text.write(`(no tfjs-layers reference for ${m}: the reference script has the two MLPs)\n`);
  }
  text.write(
    `\n${textTable(
      [
        'model',
        'implementation',
        'backend',
        'engine',
        'samples/s',
        'seconds',
        'peak tensors MB',
        'RSS high-water MB',
        'test acc',
      ],
      rows.map((r) => [
        r.model,
        r.implementation,
        r.backend,
        r.engine,
        String(r.samplesPerSecond),
        r.seconds.toFixed(1),
        r.peakDeviceMB === null ? '-' : r.peakDeviceMB.toFixed(1),
        r.peakRssMB === null ? '-' : r.peakRssMB.toFixed(0),
        r.testAccuracy === null ? '-' : formatPercent(r.testAccuracy),
      ]),
    )}\n`,
  );
  const result = { dataset: ds.name, trainSamples: ds.train.count, epochs: epochs, batchSize: opts.batchSize, rows };
  writeResult?.(result, io);
  if (opts.json === true) writeJson(io, result);
  return 0;
}

export interface AccuracyRun {
  seed: number;
  testAccuracy: number;
  seconds: number;
}

export interface AccuracyRow {
  model: string;
  backend: string;
  engine: string;
  epochs: number;
  lr: number;
  runs: AccuracyRun[];
  /** Mean and smallest test accuracy over the runs (seeds --seed, --seed+1, ...). */
  meanAccuracy: number;
  minAccuracy: number;
  required: number;
  pytorch: number;
  /** The mean over the runs reaches the required accuracy. */
  passed: boolean;
}

/**
 * 10 epochs (or --epochs) per model on the embedded MNIST, --runs seeds each (the final test
 * accuracy of one run varies by about a percentage point with the seed at these learning rates,
 * so the benchmark judges the mean); exit 1 when a model's mean misses its threshold.
 */
export async function accuracyBench(opts: BenchOptions, io: Output): Promise<number> {
  const text = textStream(io, opts.json);
  const writeResult = resultFile(opts, 'accuracy.json');
  const backends = await resolveBackends(opts.backend === 'all' ? 'cpu' : opts.backend);
  const epochs = opts.epochs ?? 10;
  const runs = opts.runs ?? 3;
  const ds = await loadData({ ...opts, dataset: 'mnist' }, io);
  text.write(
    `accuracy benchmark: ${epochs} epochs, batch ${opts.batchSize}, ${opts.optimizer}${opts.optimizer === 'sgd' ? ` momentum ${opts.momentum}` : ''}, ` +
      `${runs} run(s) per model (seeds ${opts.seed}..${opts.seed + runs - 1})\n${ds.description}\n\n`,
  );
  const rows: AccuracyRow[] = [];
  for (const model of opts.models) {
    for (const backend of backends) {
      const spec = modelSpec(model);
      const lr = learningRate({ ...opts, model });
      const done: AccuracyRun[] = [];
      for (let run = 0; run < runs; run++) {
        const seed = opts.seed + run;
        const trainer = Trainer.create({
          model,
          device: backend,
          epochs,
          batchSize: opts.batchSize,
          lr,
          optimizer: opts.optimizer,
          momentum: opts.momentum,
          seed,
        });
        const t0 = performance.now();
        for (let e = 1; e <= epochs; e++) {
          const bar = startEpochProgress(
            { out: text, err: io.err },
            `${model} on ${backend} seed ${seed} epoch ${e}/${epochs}`,
            ds.train.count,
          );
          await trainer.trainEpoch(ds.train, e === epochs ? ds.test : null, (n, loss, acc, sps) =>
            bar.update({ done: n, loss, accuracy: acc, samplesPerSecond: sps }),
          );
          bar.stop();
        }
        const acc = trainer.history[trainer.history.length - 1]!.testAccuracy;
        done.push({ seed, testAccuracy: acc, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) });
        text.write(
          `${model} on ${backend}, seed ${seed}: test accuracy ${formatPercent(acc)} (required ${formatPercent(spec.requiredAccuracy, 1)})\n`,
        );
        trainer.dispose();
      }
      const mean = done.reduce((a, r) => a + r.testAccuracy, 0) / done.length;
      rows.push({
        model,
        backend,
        engine: engineOf(backend),
        epochs,
        lr,
        runs: done,
        meanAccuracy: mean,
        minAccuracy: Math.min(...done.map((r) => r.testAccuracy)),
        required: spec.requiredAccuracy,
        pytorch: spec.pytorchAccuracy,
        passed: mean >= spec.requiredAccuracy,
      });
    }
  }
  text.write(
    `\n${textTable(
      [
        'model',
        'backend',
        'engine',
        'epochs',
        'lr',
        'runs',
        'mean test acc',
        'min',
        'max',
        'required',
        'PyTorch',
        'result',
        's/run',
      ],
      rows.map((r) => [
        r.model,
        r.backend,
        r.engine,
        String(r.epochs),
        String(r.lr),
        String(r.runs.length),
        formatPercent(r.meanAccuracy),
        formatPercent(r.minAccuracy),
        formatPercent(Math.max(...r.runs.map((x) => x.testAccuracy))),
        formatPercent(r.required, 1),
        formatPercent(r.pytorch, 1),
        r.passed ? 'PASS' : 'FAIL',
        (r.runs.reduce((a, x) => a + x.seconds, 0) / r.runs.length).toFixed(0),
      ]),
    )}\n`,
  );
  const result = { epochs, runsPerModel: runs, data: ds.description, rows };
  writeResult?.(result, io);
  if (opts.json === true) writeJson(io, result);
  return rows.every((r) => r.passed) ? 0 : 1;
}
