/**
 * parity: the same seed gives the same initial weights and the same batches on every backend
 * (weights from core's host generator, batch order from a seeded Generator, batches cut on the
 * host); train --steps steps on each and compare the per-step losses with cpu's.
 */
import type { ParityOptions } from '../cli.js';
import { engineOf, ensureBackend, resolveBackends } from '../backends.js';
import { modelSpec } from '../models.js';
import { formatPercent, textTable } from '../report.js';
import { Trainer, evaluate } from '../train.js';
import { learningRate, loadData, textStream, writeJson, type Output } from './common.js';

const ENGINE_COLUMN = 40;
export interface BackendRun {
  backend: string;
  engine: string;
  losses: number[];
  /** Largest |loss - cpu loss| and |loss - cpu loss| / |cpu loss| over the steps. */
  maxAbsDeviation: number;
  maxRelDeviation: number;
  /** Largest |w - cpu w| over every parameter after the last step. */
  maxParamDeviation: number;
  accuracy: number;
  samplesPerSecond: number;
}

export interface ParityResult {
  model: string;
  steps: number;
  batchSize: number;
  seed: number;
  tolerance: number;
  testSamples: number;
  /** The cpu reference run. */
  reference: { engine: string; losses: number[]; accuracy: number; samplesPerSecond: number };
  runs: BackendRun[];
  ok: boolean;
}

/** Default number of test images for the final accuracy (the whole set with --test-limit). */
const PARITY_TEST_SAMPLES = 1000;

export async function parity(opts: ParityOptions, io: Output): Promise<number> {
  const text = textStream(io, opts.json);
  const spec = modelSpec(opts.model);
  await ensureBackend('cpu');
  // cpu runs first as the reference; every selected backend (cpu included: a second, independent
  // run that must reproduce the first) is compared with it.
  const selected = await resolveBackends(opts.backend);
  const backends = ['cpu', ...selected];
  const ds = await loadData({ ...opts, testLimit: opts.testLimit ?? PARITY_TEST_SAMPLES }, io);
  const lr = learningRate(opts);
  text.write(
    `parity: ${opts.model} (${spec.description}), ${opts.steps} steps of batch ${opts.batchSize}, ${opts.optimizer} lr ${lr}` +
      `${opts.optimizer === 'sgd' ? ` momentum ${opts.momentum}` : ''}, seed ${opts.seed}\n` +
      `data: ${ds.description}; ${ds.train.count} training samples used\n` +
      `backends: ${selected.map((b) => `${b} (${engineOf(b)})`).join(', ')}; reference: a separate cpu run\n\n`,
  );

  const runs: (BackendRun & { params: Float32Array[] })[] = [];
  for (const [i, backend] of backends.entries()) {
    const trainer = Trainer.create({
      model: opts.model,
      device: backend,
      epochs: 1,
      batchSize: opts.batchSize,
      lr,
      optimizer: opts.optimizer,
      momentum: opts.momentum,
      seed: opts.seed,
    });
    const losses: number[] = [];
    let order = trainer.epochOrder(ds.train.count);
    let pos = 0;
    let trainSeconds = 0;
    for (let step = 0; step < opts.steps; step++) {
      if (pos >= ds.train.count) {
        order = trainer.epochOrder(ds.train.count);
        pos = 0;
      }
      const indices = order.subarray(pos, Math.min(ds.train.count, pos + opts.batchSize));
      pos += indices.length;
      const t0 = performance.now();
      const r = await trainer.trainBatch(ds.train, indices);
      trainSeconds += (performance.now() - t0) / 1000;
      losses.push(r.loss);
    }
    const ev = await evaluate(trainer.model, ds.test, backend);
    const params: Float32Array[] = [];
    for (const p of trainer.model.parameters()) params.push(Float32Array.from(await p.data()));
    trainer.dispose();
    runs.push({
      backend: i === 0 ? 'reference' : backend,
      engine: engineOf(backend),
      losses,
      maxAbsDeviation: 0,
      maxRelDeviation: 0,
      maxParamDeviation: 0,
      accuracy: ev.accuracy,
      samplesPerSecond: (opts.steps * opts.batchSize) / trainSeconds,
      params,
    });
  }

  const ref = runs.shift()!;
  for (const r of runs) {
    r.losses.forEach((l, i) => {
      const d = Math.abs(l - ref.losses[i]!);
      r.maxAbsDeviation = Math.max(r.maxAbsDeviation, Number.isNaN(d) ? Infinity : d);
      r.maxRelDeviation = Math.max(
        r.maxRelDeviation,
        Number.isNaN(d) ? Infinity : d / Math.max(Math.abs(ref.losses[i]!), 1e-12),
      );
    });
    r.params.forEach((p, k) => {
      const q = ref.params[k]!;
      for (let i = 0; i < p.length; i++) {
        const d = Math.abs(p[i]! - q[i]!);
        r.maxParamDeviation = Math.max(r.maxParamDeviation, Number.isNaN(d) ? Infinity : d);
      }
    });
  }
  const ok = runs.every((r) => r.maxRelDeviation <= opts.tolerance);

  text.write('per-step loss:\n');
  text.write(
    `${textTable(
      ['step', 'cpu reference', ...runs.map((r) => r.backend)],
      ref.losses.map((l, i) => [String(i + 1), l.toFixed(7), ...runs.map((r) => r.losses[i]!.toFixed(7))]),
    )}\n\n`,
  );
  text.write(
    `${textTable(
      [
        'backend',
        'engine',
        'max |dloss|',
        'max rel dloss',
        'max |dweight|',
        'accuracy',
        'samples/s',
        'within tolerance',
      ],
      runs.map((r) => [
        r.backend,
        // The full engine string is on the 'backends:' line; a WebGPU adapter's is too wide for a column.
        r.engine.length > ENGINE_COLUMN ? `${r.engine.slice(0, ENGINE_COLUMN - 1)}…` : r.engine,
        r.maxAbsDeviation.toExponential(2),
        r.maxRelDeviation.toExponential(2),
        r.maxParamDeviation.toExponential(2),
        formatPercent(r.accuracy),
        String(Math.round(r.samplesPerSecond)),
        r.maxRelDeviation <= opts.tolerance ? 'yes' : 'NO',
      ]),
    )}\n`,
  );
  text.write(
    ok
      ? `\nparity OK: every backend within ${opts.tolerance} relative of cpu over ${opts.steps} steps (accuracy on ${ds.test.count} test images)\n`
      : `\nparity FAILED: ${runs
          .filter((r) => r.maxRelDeviation > opts.tolerance)
          .map((r) => `${r.backend} deviates by ${r.maxRelDeviation.toExponential(2)} relative`)
          .join('; ')} (tolerance ${opts.tolerance})\n`,
  );

  const result: ParityResult = {
    model: opts.model,
    steps: opts.steps,
    batchSize: opts.batchSize,
    seed: opts.seed,
    tolerance: opts.tolerance,
    testSamples: ds.test.count,
    reference: {
      engine: ref.engine,
      losses: ref.losses,
      accuracy: ref.accuracy,
      samplesPerSecond: ref.samplesPerSecond,
    },
    runs: runs.map(({ params: _params, ...r }) => r),
    ok,
  };
  if (opts.json === true) writeJson(io, result);
  return ok ? 0 : 1;
}
