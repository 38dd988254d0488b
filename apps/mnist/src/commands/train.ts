/**
 * train (the default command): train a model with a live progress bar, checkpoint every epoch,
 * then print test accuracy, a confusion matrix and the per-epoch table, and write the chart, the
 * HTML report and the model under --out.
 *
 * Everything that can be checked is checked before the first step: the checkpoint (every field
 * and tensor), the flags against the checkpoint's, the output directory (a writable directory
 * with room for the files) and the data against what the checkpoint trained on.
 */
import { join, resolve } from 'node:path';
import type { TrainOptions } from '../cli.js';
import { CliError } from '../errors.js';
import { engineOf, ensureBackend } from '../backends.js';
import { countParameters, modelSpec } from '../models.js';
import {
  outputBytesNeeded,
  prepareOutputDir,
  readCheckpointInfo,
  restoreCheckpoint,
  saveCheckpoint,
  saveModel,
  writeFileAtomic,
  type CheckpointInfo,
  type DataConfig,
} from '../persist.js';
import { startEpochProgress, type EpochProgress } from '../progress.js';
import {
  chartSvg,
  confusionMatrix,
  confusionTable,
  epochTable,
  formatPercent,
  htmlReport,
  type EpochRecord,
} from '../report.js';
import { Trainer, evaluate, type TrainConfig } from '../train.js';
import { classNames, learningRate, loadData, outDir, textStream, writeJson, type Output } from './common.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const MODEL_FILE = 'model.safetensors';

/** Thrown from a progress callback after Ctrl-C, to stop at the next step. */
class Interrupted extends Error {}

/** The flags a resumed run takes from its checkpoint, with the checkpoint's value of each. */
function checkpointFlags(info: CheckpointInfo): { flag: string; option: string; value: unknown }[] {
  return [
    { flag: '--dataset', option: 'dataset', value: info.data.dataset },
    { flag: '--data-dir', option: 'dataDir', value: info.data.dataDir },
    { flag: '--download', option: 'download', value: info.data.download },
    { flag: '--limit', option: 'limit', value: info.data.limit },
    { flag: '--test-limit', option: 'testLimit', value: info.data.testLimit },
    { flag: '--batch-size', option: 'batchSize', value: info.config.batchSize },
    { flag: '--lr', option: 'lr', value: info.config.lr },
    { flag: '--optimizer', option: 'optimizer', value: info.config.optimizer },
    { flag: '--momentum', option: 'momentum', value: info.config.momentum },
    { flag: '--seed', option: 'seed', value: info.config.seed },
  ];
}

function describeValue(flag: string, value: unknown): string {
  if (value === null) return flag === '--data-dir' ? 'not given (the default data)' : 'not given (all samples)';
  if (value === false) return 'not given';
  if (value === true) return 'given';
  return String(value);
}

/**
 * The options of a resumed run: the checkpoint's model, data and training flags. A flag given on
 * the command line with another value than the checkpoint's is an error (exit 2) listing each.
 */
function resumeOptions(opts: TrainOptions, info: CheckpointInfo, path: string): TrainOptions {
  const given = (k: string): boolean => opts.explicit.includes(k);
  const current = (k: string): unknown => {
    const v = (opts as unknown as Record<string, unknown>)[k];
    if (k === 'dataDir') return v === undefined ? null : resolve(v as string);
    if (k === 'download') return v === true;
    return v === undefined ? null : v;
  };
  const flags = checkpointFlags(info);
  const conflicts = flags
    .filter((f) => given(f.option) && current(f.option) !== f.value)
    .map(
      (f) =>
        `${f.flag} ${describeValue(f.flag, current(f.option))} (the checkpoint: ${describeValue(f.flag, f.value)})`,
    );
  if (conflicts.length > 0) {
    throw new CliError(
      `--resume continues ${path} with the flags it was trained with, and these differ: ${conflicts.join('; ')}. ` +
        'Leave them out (the checkpoint keeps its own), or start a new run without --resume.',
      2,
    );
  }
  const epochs = given('epochs') ? opts.epochs : info.config.epochs;
  if (epochs < info.epoch)
    throw new CliError(`--epochs ${epochs} is fewer than the ${info.epoch} epochs ${path} has already done`, 2);
  return {
    ...opts,
    model: info.model,
    dataset: info.data.dataset,
    ...(info.data.dataDir === null ? {} : { dataDir: info.data.dataDir }),
    download: info.data.download,
    ...(info.data.limit === null ? {} : { limit: info.data.limit }),
    ...(info.data.testLimit === null ? {} : { testLimit: info.data.testLimit }),
    batchSize: info.config.batchSize,
    lr: info.config.lr,
    optimizer: info.config.optimizer,
    momentum: info.config.momentum,
    seed: info.config.seed,
    epochs,
  };
}

function flagLine(info: CheckpointInfo): string {
  return checkpointFlags(info)
    .filter(
      (f) => f.value !== null && f.value !== false && !(f.flag === '--momentum' && info.config.optimizer === 'adam'),
    )
    .map((f) => (f.value === true ? f.flag : `${f.flag} ${String(f.value)}`))
    .join(' ');
}

export async function train(opts: TrainOptions, io: Output): Promise<number> {
  const text = textStream(io, opts.json);
  if (opts.backend === 'all')
    throw new CliError("train runs on one backend; use 'parity --backend all' to compare backends", 2);
  // Resolve a checkpoint first: a wrong one must fail before anything is loaded or written.
  let resumePath: string | null = null;
  let info: CheckpointInfo | null = null;
  let run = opts;
  if (opts.resume !== undefined && opts.resume !== false) {
    resumePath = typeof opts.resume === 'string' ? opts.resume : join(outDir(opts), CHECKPOINT_FILE);
    info = readCheckpointInfo(resumePath);
    if (opts.modelExplicit && info.model !== opts.model) {
      throw new CliError(
        `checkpoint ${resumePath} is from model '${info.model}', not '${opts.model}'; pass --model ${info.model} or another checkpoint`,
      );
    }
    run = resumeOptions(opts, info, resumePath);
  }
  const model = run.model;
  const spec = modelSpec(model);
  const out = outDir(run);
  const epochs = run.epochs;
  await ensureBackend(opts.backend);

  let trainer: Trainer;
  if (resumePath !== null) {
    trainer = await restoreCheckpoint(resumePath, opts.backend, epochs);
  } else {
    const config: TrainConfig = {
      model,
      device: opts.backend,
      epochs,
      batchSize: run.batchSize,
      lr: learningRate(run),
      optimizer: run.optimizer,
      momentum: run.momentum,
      seed: run.seed,
    };
    trainer = Trainer.create(config);
  }
  const config = trainer.config;
  // Ctrl-C stops at the next step (after a checkpoint being written is complete) and says how to
  // resume; a second Ctrl-C does not wait.
  let interrupted = false;
  const onInterrupt = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  process.on('SIGINT', onInterrupt);
  try {
    const ds = await loadData(run, io);
    if (info !== null) {
      for (const [what, now, then] of [
        ['training', ds.train.count, info.data.trainSamples],
        ['test', ds.test.count, info.data.testSamples],
      ] as const) {
        if (now !== then)
          throw new CliError(
            `checkpoint ${resumePath} was trained with ${then} ${what} samples (${flagLine(info)}); the data found now has ${now} (${ds.description}). Resuming on other data would not continue the same run.`,
          );
      }
      text.write(
        `resuming from ${resumePath}: ${trainer.epoch} of ${epochs} epoch(s) done; the checkpoint's flags: ${flagLine(info)}\n`,
      );
      if (trainer.epoch === epochs)
        text.write(`(all ${epochs} epochs are done: nothing to train; pass --epochs N to train further)\n`);
    }
    prepareOutputDir(out, outputBytesNeeded(countParameters(trainer.model), config));
    const data: DataConfig = {
      dataset: run.dataset,
      dataDir: run.dataDir === undefined ? null : resolve(run.dataDir),
      download: run.download === true,
      limit: run.limit ?? null,
      testLimit: run.testLimit ?? null,
      trainSamples: ds.train.count,
      testSamples: ds.test.count,
    };

    const engine = engineOf(config.device);
    text.write(
      `model: ${model} — ${spec.description}, ${countParameters(trainer.model).toLocaleString('en-US')} parameters\n` +
        `backend: ${config.device} (engine: ${engine})\n` +
        `data: ${ds.description}${ds.train.count < 10000 || run.limit !== undefined ? ` [${ds.train.count} training samples used]` : ''}\n` +
        `training: ${epochs} epochs, batch ${config.batchSize}, ${config.optimizer} lr ${config.lr}${config.optimizer === 'sgd' ? ` momentum ${config.momentum}` : ''}, seed ${config.seed}\n\n`,
    );
    const checkpointPath = join(out, CHECKPOINT_FILE);
    // The newest checkpoint on disk: the one resumed from until this run saves its own.
    let saved = info?.epoch ?? 0;
    let savedPath = resumePath ?? checkpointPath;
    const stopIfInterrupted = (): void => {
      if (interrupted) throw new Interrupted();
    };
    try {
      for (let e = trainer.epoch + 1; e <= epochs; e++) {
        const label = `epoch ${String(e).padStart(String(epochs).length)}/${epochs}`;
        const bar = startEpochProgress({ out: text, err: io.err }, label, ds.train.count);
        const bars: { test: EpochProgress | null } = { test: null };
        let rec: EpochRecord;
        try {
          rec = await trainer.trainEpoch(
            ds.train,
            ds.test,
            (done, loss, accuracy, samplesPerSecond) => {
              stopIfInterrupted();
              bar.update({ done, loss, accuracy, samplesPerSecond });
            },
            (done, loss, accuracy, samplesPerSecond) => {
              stopIfInterrupted();
              if (bars.test === null) {
                bar.stop();
                bars.test = startEpochProgress({ out: text, err: io.err }, `${label} test`, ds.test.count, 0.5);
              }
              bars.test.update({ done, loss, accuracy, samplesPerSecond });
            },
          );
        } finally {
          bar.stop();
          bars.test?.stop();
        }
        text.write(
          `epoch ${e}/${epochs}: train loss ${rec.trainLoss.toFixed(4)}, train acc ${formatPercent(rec.trainAccuracy)}, ` +
            `test loss ${rec.testLoss.toFixed(4)}, test acc ${formatPercent(rec.testAccuracy)}, ${Math.round(rec.samplesPerSecond)} samples/s\n`,
        );
        try {
          await saveCheckpoint(trainer, data, checkpointPath);
        } catch (error) {
          throw new CliError(
            `cannot write the checkpoint after epoch ${e}: ${(error as Error).message}` +
              (saved > 0 ? ` (${savedPath} still holds epoch ${saved})` : ''),
          );
        }
        saved = e;
        savedPath = checkpointPath;
        stopIfInterrupted();
      }
    } catch (error) {
      if (!(error instanceof Interrupted)) throw error;
      const defaultOut = join('out', model);
      // The checkpoint resumed from may record another target than this run's --epochs.
      const recordedTarget = savedPath === checkpointPath ? epochs : (info?.config.epochs ?? epochs);
      const how =
        saved > 0
          ? `${savedPath} holds ${saved} of ${epochs} epochs; continue with: pnpm mnist train --resume ${savedPath}` +
            (resolve(out) === resolve(defaultOut) ? '' : ` --out ${out}`) +
            (recordedTarget === epochs ? '' : ` --epochs ${epochs}`)
          : 'no epoch had finished, so there is no checkpoint to resume from';
      io.err.write(`\ninterrupted (Ctrl-C): ${how}\n`);
      return 130;
    }
    // Resumed with nothing left to train into another --out: that directory gets the checkpoint too.
    if (resolve(savedPath) !== resolve(checkpointPath)) await saveCheckpoint(trainer, data, checkpointPath);

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
    try {
      await saveModel(trainer.model, model, modelPath, { dataset: ds.name, testAccuracy: String(final.accuracy) });
    } catch (error) {
      throw new CliError(`cannot write the model: ${(error as Error).message}`);
    }
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
  } finally {
    process.off('SIGINT', onInterrupt);
    trainer.dispose();
  }
}
