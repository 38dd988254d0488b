/**
 * train (the default command): train a model with a live progress bar, checkpoint every epoch,
 * then print test accuracy, a confusion matrix and the per-epoch table, and write the chart, the
 * HTML report and the model under --out.
 */
import { join } from 'node:path';
import type { TrainOptions } from '../cli.js';
import { CliError } from '../errors.js';
import { engineOf, ensureBackend } from '../backends.js';
import { countParameters, modelSpec } from '../models.js';
import { readCheckpointInfo, restoreCheckpoint, saveCheckpoint, saveModel, writeFileAtomic } from '../persist.js';
import { startEpochProgress } from '../progress.js';
import { chartSvg, confusionMatrix, confusionTable, epochTable, formatPercent, htmlReport } from '../report.js';
import { Trainer, evaluate, type TrainConfig } from '../train.js';
import { classNames, learningRate, loadData, outDir, textStream, writeJson, type Output } from './common.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const MODEL_FILE = 'model.safetensors';

export async function train(opts: TrainOptions, io: Output): Promise<number> {
  const text = textStream(io, opts.json);
  if (opts.backend === 'all')
    throw new CliError("train runs on one backend; use 'parity --backend all' to compare backends", 2);

  // Resolve a checkpoint first: a wrong one must fail before anything is loaded or written.
  let resumePath: string | null = null;
  let model = opts.model;
  if (opts.resume !== undefined && opts.resume !== false) {
    resumePath = typeof opts.resume === 'string' ? opts.resume : join(outDir(opts), CHECKPOINT_FILE);
    const info = readCheckpointInfo(resumePath);
    if (opts.modelExplicit && info.model !== opts.model) {
      throw new CliError(
        `checkpoint ${resumePath} is from model '${info.model}', not '${opts.model}'; pass --model ${info.model} or another checkpoint`,
      );
    }
    model = info.model;
  }
  const spec = modelSpec(model);
  const out = outDir({ ...opts, model });
  await ensureBackend(opts.backend);
  const ds = await loadData(opts);
  for (const w of ds.warnings) io.err.write(`warning: ${w}\n`);

  let trainer: Trainer;
  if (resumePath !== null) {
    trainer = restoreCheckpoint(resumePath, opts.backend, opts.modelExplicit ? opts.model : undefined);
    text.write(`resuming from ${resumePath}: ${trainer.epoch} epoch(s) done\n`);
  } else {
    const config: TrainConfig = {
      model,
      device: opts.backend,
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      lr: learningRate({ ...opts, model }),
      optimizer: opts.optimizer,
      momentum: opts.momentum,
      seed: opts.seed,
    };
    trainer = Trainer.create(config);
  }
  const config = trainer.config;
  const epochs = opts.epochs;
  const engine = engineOf(config.device);
  text.write(
    `model: ${model} — ${spec.description}, ${countParameters(trainer.model).toLocaleString('en-US')} parameters\n` +
      `backend: ${config.device} (engine: ${engine})\n` +
      `data: ${ds.description}${ds.train.count < 10000 || opts.limit !== undefined ? ` [${ds.train.count} training samples used]` : ''}\n` +
      `training: ${epochs} epochs, batch ${config.batchSize}, ${config.optimizer} lr ${config.lr}${config.optimizer === 'sgd' ? ` momentum ${config.momentum}` : ''}, seed ${config.seed}\n\n`,
  );

  const checkpointPath = join(out, CHECKPOINT_FILE);
  for (let e = trainer.epoch + 1; e <= epochs; e++) {
    const bar = startEpochProgress(
      { out: text, err: io.err },
      `epoch ${String(e).padStart(String(epochs).length)}/${epochs}`,
      ds.train.count,
    );
    const rec = await trainer.trainEpoch(ds.train, ds.test, (done, loss, accuracy, samplesPerSecond) =>
      bar.update({ done, loss, accuracy, samplesPerSecond }),
    );
    bar.stop();
    text.write(
      `epoch ${e}/${epochs}: train loss ${rec.trainLoss.toFixed(4)}, train acc ${formatPercent(rec.trainAccuracy)}, ` +
        `test loss ${rec.testLoss.toFixed(4)}, test acc ${formatPercent(rec.testAccuracy)}, ${Math.round(rec.samplesPerSecond)} samples/s\n`,
    );
    await saveCheckpoint(trainer, checkpointPath);
  }

  const final = trainer.lastEval ?? (await evaluate(trainer.model, ds.test, config.device));
  const names = classNames(ds.name);
  const cm = confusionMatrix(ds.test.labels, final.predictions);
  const title = `${model} on ${ds.name} — Flint ${config.device} (${engine})`;
  const svg = chartSvg(trainer.history, title);
  const runConfig: Record<string, string | number | boolean> = {
    model,
    parameters: countParameters(trainer.model),
    backend: config.device,
    engine,
    dataset: ds.name,
    'training samples': ds.train.count,
    'test samples': ds.test.count,
    epochs,
    'batch size': config.batchSize,
    optimizer: config.optimizer,
    lr: config.lr,
    ...(config.optimizer === 'sgd' ? { momentum: config.momentum } : {}),
    seed: config.seed,
    'resumed from': resumePath ?? 'no',
    node: process.version,
  };
  const modelPath = join(out, MODEL_FILE);
  const chartPath = join(out, 'chart.svg');
  const reportPath = join(out, 'report.html');
  await saveModel(trainer.model, model, modelPath, { dataset: ds.name, testAccuracy: String(final.accuracy) });
  writeFileAtomic(chartPath, svg);
  writeFileAtomic(
    reportPath,
    htmlReport({
      title,
      config: runConfig,
      epochs: trainer.history,
      testAccuracy: final.accuracy,
      confusion: cm,
      ...(names === undefined ? {} : { classNames: names }),
      svg,
      dataDescription: ds.description,
    }),
  );

  text.write(`\nper-epoch results:\n${epochTable(trainer.history)}\n\n`);
  text.write(`confusion matrix (test set, rows = actual, columns = predicted):\n${confusionTable(cm, names)}\n\n`);
  text.write(`test accuracy: ${formatPercent(final.accuracy)} on ${ds.test.count} test images\n`);
  text.write(`wrote ${modelPath}, ${reportPath}, ${chartPath}, ${checkpointPath}\n`);
  if (opts.json === true) {
    writeJson(io, {
      model,
      backend: config.device,
      engine,
      config: runConfig,
      testAccuracy: final.accuracy,
      epochs: trainer.history,
      confusion: cm,
      files: { model: modelPath, report: reportPath, chart: chartPath, checkpoint: checkpointPath },
    });
  }
  return 0;
}
