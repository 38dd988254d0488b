/**
 * Saved models and checkpoints, as safetensors files written with core's `save` and read with
 * core's `load`. Every file is written atomically (core's save does so for safetensors; the chart
 * and report go through writeFileAtomic): to a temporary file in the same directory, then renamed
 * into place, so an interrupted write never leaves a partial file under the real name.
 *
 * - model.safetensors: the model's stateDict (PyTorch key names) + metadata { format, model }.
 * - checkpoint.safetensors: `model.<key>` tensors, `optimizer.<param index>.<state name>` tensors,
 *   and metadata holding the model name, epochs done, the training config, the optimizer's
 *   param_groups and numeric state, both generators' states and the per-epoch history.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import {
  Generator,
  defaultGenerator,
  load,
  loadMetadata,
  save,
  setBackend,
  type Tensor,
  type nn,
  type optim,
} from '@flint/core';
import { CliError } from './errors.js';
import { MODEL_NAMES, createModel } from './models.js';
import type { EpochRecord } from './report.js';
import { Trainer, makeOptimizer, type TrainConfig } from './train.js';

const MODEL_FORMAT = 'flint-mnist-model';
const CHECKPOINT_FORMAT = 'flint-mnist-checkpoint';

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

/** Write text or bytes to `path` atomically (temp file + rename); creates the directory. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPath(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** core's save() is atomic itself (temp file, fsync, rename); this only creates the directory. */
async function saveAtomic(
  tensors: Record<string, Tensor>,
  path: string,
  metadata: Record<string, string>,
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await save(tensors, path, metadata);
}

function readMeta(path: string, what: string): Record<string, string> {
  if (!existsSync(path)) throw new CliError(`${what} ${path} does not exist`);
  try {
    return loadMetadata(path);
  } catch (error) {
    throw new CliError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

// ------------------------------------------------------------------ models

export async function saveModel(
  model: nn.Module,
  name: string,
  path: string,
  extra: Record<string, string> = {},
): Promise<void> {
  await saveAtomic(model.stateDict(), path, { ...extra, format: MODEL_FORMAT, model: name });
}

/**
 * Rebuild the architecture named in the file's metadata (or `expected` for a plain state dict
 * without it) on `device` and load the weights. A file from another model than `expected` is an error.
 */
export function loadModel(path: string, device: string, expected?: string): { model: nn.Module; name: string } {
  const meta = readMeta(path, 'model file');
  const name = meta.model ?? expected;
  if (name === undefined)
    throw new CliError(
      `${path} does not say which model it holds (no 'model' metadata); pass --model (${MODEL_NAMES.join(', ')})`,
      2,
    );
  if (!MODEL_NAMES.includes(name))
    throw new CliError(`${path} holds an unknown model '${name}'; valid models: ${MODEL_NAMES.join(', ')}`);
  if (expected !== undefined && name !== expected)
    throw new CliError(`${path} holds model '${name}', not '${expected}'`);
  setBackend(device);
  const model = createModel(name).to(device);
  const tensors = load(path, { device });
  try {
    model.loadStateDict(tensors);
  } catch (error) {
    throw new CliError(`${path}: ${(error as Error).message}`);
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  model.eval();
  return { model, name };
}

// ------------------------------------------------------------------ checkpoints

export interface CheckpointInfo {
  model: string;
  epoch: number;
  config: TrainConfig;
  history: EpochRecord[];
}

/** Metadata of a checkpoint (no tensors are read); a file that is not a checkpoint is an error. */
export function readCheckpointInfo(path: string): CheckpointInfo {
  const meta = readMeta(path, 'checkpoint');
  if (meta.format !== CHECKPOINT_FORMAT)
    throw new CliError(`${path} is not a flint-mnist checkpoint (format '${meta.format ?? 'none'}')`);
  const model = meta.model ?? '';
  if (!MODEL_NAMES.includes(model))
    throw new CliError(
      `checkpoint ${path} is from an unknown model '${model}'; valid models: ${MODEL_NAMES.join(', ')}`,
    );
  return {
    model,
    epoch: Number(meta.epoch),
    config: JSON.parse(meta.config!) as TrainConfig,
    history: JSON.parse(meta.history!) as EpochRecord[],
  };
}

/** Model weights, optimizer state, epochs done, both generators and the history, written atomically. */
export async function saveCheckpoint(trainer: Trainer, path: string): Promise<void> {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(trainer.model.stateDict())) tensors[`model.${k}`] = t;
  const sd = trainer.optimizer.stateDict();
  const numericState: Record<string, Record<string, number>> = {};
  for (const [id, entry] of Object.entries(sd.state)) {
    for (const [k, v] of Object.entries(entry)) {
      if (typeof v === 'number') {
        numericState[id] ??= {};
        numericState[id][k] = v;
      } else tensors[`optimizer.${id}.${k}`] = v;
    }
  }
  await saveAtomic(tensors, path, {
    format: CHECKPOINT_FORMAT,
    model: trainer.config.model,
    epoch: String(trainer.epoch),
    config: JSON.stringify(trainer.config),
    optimizer: JSON.stringify({ param_groups: sd.param_groups, numeric: numericState }),
    rng: JSON.stringify({ default: defaultGenerator.getState(), shuffle: trainer.shuffle.getState() }),
    history: JSON.stringify(trainer.history),
  });
}

/** A Trainer in the state the checkpoint recorded, on `device`. */
export function restoreCheckpoint(path: string, device: string, expected?: string): Trainer {
  const info = readCheckpointInfo(path);
  if (expected !== undefined && info.model !== expected) {
    throw new CliError(`checkpoint ${path} is from model '${info.model}', not '${expected}'`);
  }
  const meta = readMeta(path, 'checkpoint');
  const config: TrainConfig = { ...info.config, device };
  setBackend(device);
  const model = createModel(config.model).to(device);
  const optimizer = makeOptimizer(model, config);
  const tensors = load(path, { device });
  try {
    const modelState: Record<string, Tensor> = {};
    const optState: Record<number, Record<string, Tensor | number>> = {};
    for (const [k, t] of Object.entries(tensors)) {
      if (k.startsWith('model.')) modelState[k.slice('model.'.length)] = t;
      else if (k.startsWith('optimizer.')) {
        const [, id, ...rest] = k.split('.');
        optState[Number(id)] ??= {};
        optState[Number(id)]![rest.join('.')] = t;
      }
    }
    const saved = JSON.parse(meta.optimizer!) as {
      param_groups: optim.OptimizerStateDict['param_groups'];
      numeric: Record<string, Record<string, number>>;
    };
    for (const [id, entry] of Object.entries(saved.numeric)) {
      optState[Number(id)] ??= {};
      Object.assign(optState[Number(id)]!, entry);
    }
    model.loadStateDict(modelState);
    optimizer.loadStateDict({ state: optState, param_groups: saved.param_groups });
  } catch (error) {
    throw new CliError(`cannot restore checkpoint ${path}: ${(error as Error).message}`);
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  const rng = JSON.parse(meta.rng!) as { default: number[]; shuffle: number[] };
  defaultGenerator.setState(rng.default);
  const trainer = new Trainer(config, model, optimizer, new Generator(0).setState(rng.shuffle));
  trainer.epoch = info.epoch;
  trainer.history = info.history;
  model.train();
  return trainer;
}
