/**
 * Saved models and checkpoints, as safetensors files written with core's `save` and read with
 * core's `load`. Every file is written atomically (core's save does so for safetensors; the chart
 * and report go through writeFileAtomic): to a temporary file in the same directory, then renamed
 * into place, so an interrupted write never leaves a partial file under the real name, and the
 * next write of the same file removes the temporary files an interrupted (killed) one left.
 *
 * - model.safetensors: the model's stateDict (PyTorch key names) + metadata { format, model, dataset }.
 * - checkpoint.safetensors: `model.<key>` tensors, `optimizer.<param index>.<state name>` tensors,
 *   and metadata holding the model name, epochs done, the training config, the data flags, the
 *   optimizer's param_groups and numeric state, both generators' states and the per-epoch history.
 *
 * Nothing read back is trusted: every metadata field and every tensor of a checkpoint is checked
 * (type, range, consistency with the other fields, the optimizer's expected state, finite values)
 * before anything trains, and each error names the file and the field or tensor.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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
import { DATASET_NAMES, type DatasetName } from './data/index.js';
import { CliError } from './errors.js';
import { MODEL_NAMES, createModel } from './models.js';
import type { EpochRecord } from './report.js';
import { OPTIMIZER_NAMES, Trainer, makeOptimizer, type TrainConfig } from './train.js';

const MODEL_FORMAT = 'flint-mnist-model';
const CHECKPOINT_FORMAT = 'flint-mnist-checkpoint';

// ------------------------------------------------------------------ atomic text files

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove `.name.<pid>.<hex>.tmp` files of `path` whose writer process is gone (killed during a
 * write). Files of running processes are left alone: they may be writing right now.
 */
export function removeStaleTempFiles(path: string): void {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]+$/.exec(name.slice(prefix.length, -'.tmp'.length));
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && !processAlive(pid)) rmSync(join(dirname(path), name), { force: true });
  }
}

/** Write text or bytes to `path` atomically (temp file + rename); creates the directory. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  removeStaleTempFiles(path);
  const tmp = tempPath(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

/** core's save() is atomic itself (temp file, fsync, rename, stale temp files removed); this creates the directory. */
async function saveAtomic(
  tensors: Record<string, Tensor>,
  path: string,
  metadata: Record<string, string>,
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await save(tensors, path, metadata);
}

// ------------------------------------------------------------------ the output directory

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code === undefined ? e.message : `${e.code}: ${e.message.replace(/^[A-Z]+: /, '')}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync never returns where mkdir fails
 * with ENOENT although the parent exists (measured: `--out /proc/flint` spun for minutes).
 */
function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

/**
 * Make sure `dir` can take the run's files before anything trains: it is (or can be made) a
 * directory, a file can be created in it, and it has at least `neededBytes` free. Each failure is
 * a CliError saying which of the three it was.
 */
export function prepareOutputDir(
  dir: string,
  neededBytes: number,
  statfs: (path: string) => { bavail: number | bigint; bsize: number | bigint } = statfsSync,
): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    try {
      makeDirectory(dir);
    } catch (mkdirError) {
      throw new CliError(`cannot create the output directory ${dir} (--out): ${errorText(mkdirError)}`);
    }
    isDir = true;
  }
  if (!isDir) throw new CliError(`the output directory ${dir} (--out) is a file, not a directory`, 2);
  const probe = join(dir, `.flint-write-test.${process.pid}.tmp`);
  try {
    writeFileSync(probe, 'flint');
  } catch (error) {
    throw new CliError(`the output directory ${dir} (--out) is not writable: ${errorText(error)}`);
  } finally {
    rmSync(probe, { force: true });
  }
  const s = statfs(dir);
  const free = Number(s.bavail) * Number(s.bsize);
  if (free < neededBytes) {
    throw new CliError(
      `the output directory ${dir} (--out) has ${megabytes(free)} free; this run writes about ${megabytes(neededBytes)} ` +
        '(the checkpoint twice while it is replaced, the model, the report and the chart)',
    );
  }
}

/**
 * Bytes a training run needs under --out at its peak: the old and the new checkpoint while one
 * replaces the other, the model, the report and the chart (headers and history grow per epoch).
 */
export function outputBytesNeeded(
  parameterCount: number,
  config: Pick<TrainConfig, 'optimizer' | 'momentum' | 'epochs'>,
): number {
  const stateCopies = config.optimizer === 'adam' ? 2 : config.momentum !== 0 ? 1 : 0;
  const checkpoint = 4 * parameterCount * (1 + stateCopies) + 8192 + 256 * config.epochs;
  const model = 4 * parameterCount + 4096;
  const reportAndChart = 32768 + 512 * config.epochs;
  return 2 * checkpoint + model + reportAndChart;
}

// ------------------------------------------------------------------ checking what is read back

/** Names the file and the metadata field in every error. */
class MetadataReader {
  constructor(
    readonly what: string,
    readonly path: string,
    readonly meta: Record<string, string>,
  ) {}

  fail(field: string, problem: string): never {
    throw new CliError(`${this.what} ${this.path}: metadata field '${field}' ${problem}`);
  }

  string(field: string): string {
    const v = this.meta[field];
    if (v === undefined) this.fail(field, 'is missing');
    return v;
  }

  json(field: string): unknown {
    const text = this.string(field);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      return this.fail(field, `is not valid JSON (${(error as Error).message}): ${preview(text)}`);
    }
  }

  object(field: string, value: unknown): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      this.fail(field, `must be a JSON object, got ${show(value)}`);
    return value as Record<string, unknown>;
  }

  array(field: string, value: unknown): unknown[] {
    if (!Array.isArray(value)) this.fail(field, `must be a JSON array, got ${show(value)}`);
    return value;
  }

  int(field: string, value: unknown, min: number): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
      this.fail(field, `must be an integer of at least ${min}, got ${show(value)}`);
    return value;
  }

  intOrNull(field: string, value: unknown, min: number): number | null {
    return value === null ? null : this.int(field, value, min);
  }

  number(field: string, value: unknown, kind: 'positive' | 'non-negative' | 'finite'): number {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (kind === 'finite' || (kind === 'positive' ? value > 0 : value >= 0));
    if (!ok) this.fail(field, `must be a ${kind === 'finite' ? 'finite' : kind} number, got ${show(value)}`);
    return value as number;
  }

  oneOf<T extends string>(field: string, value: unknown, choices: readonly T[]): T {
    if (typeof value !== 'string' || !choices.includes(value as T))
      this.fail(field, `must be one of ${choices.join(', ')}, got ${show(value)}`);
    return value as T;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return preview(JSON.stringify(value) ?? String(value));
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function readMeta(path: string, what: string): Record<string, string> {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new CliError(`${what} ${path} does not exist`);
  }
  if (!isFile) throw new CliError(`${what} ${path} is not a file`);
  try {
    return loadMetadata(path);
  } catch (error) {
    throw new CliError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

function loadTensors(path: string, what: string, device: string): Record<string, Tensor> {
  try {
    return load(path, { device });
  } catch (error) {
    throw new CliError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

function disposeAll(tensors: Record<string, Tensor>): void {
  for (const t of Object.values(tensors)) t.dispose();
}

/**
 * SHA-256 over the metadata (every field but 'sha256') and every tensor (name, dtype, shape and
 * bytes), in name order: stored in the field 'sha256' of the files written here, so that a byte
 * changed after the save is found even where the result would still parse and make sense.
 */
export async function contentDigest(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string>,
): Promise<string> {
  const hash = createHash('sha256');
  for (const key of Object.keys(metadata).sort()) if (key !== 'sha256') hash.update(`${key}\0${metadata[key]}\0`);
  for (const key of Object.keys(tensors).sort()) {
    const t = tensors[key]!;
    hash.update(`${key}\0${t.dtype}\0${t.shape.join(',')}\0`);
    const d = await t.data();
    hash.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return hash.digest('hex');
}

/**
 * The tensors match the file's checksum (when it has one: a plain state dict from elsewhere does
 * not; a checkpoint must), are float32 and hold only finite values (a NaN weight would train on
 * silently).
 */
async function checkTensorValues(
  what: string,
  path: string,
  tensors: Record<string, Tensor>,
  metadata: Record<string, string>,
): Promise<void> {
  if (metadata.sha256 !== undefined && (await contentDigest(tensors, metadata)) !== metadata.sha256)
    throw new CliError(
      `${what} ${path}: the contents do not match metadata field 'sha256' (the file was changed or damaged after it was saved)`,
    );
  for (const [key, t] of Object.entries(tensors)) {
    if (t.dtype !== 'float32')
      throw new CliError(`${what} ${path}: tensor '${key}' is ${t.dtype}, expected float32 (F32)`);
    const values = await t.data();
    let bad = 0;
    let first = -1;
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) {
        bad++;
        if (first < 0) first = i;
      }
    }
    if (bad > 0) {
      throw new CliError(
        `${what} ${path}: tensor '${key}' holds ${bad} non-finite value(s) (${values[first]} at flat index ${first}); ` +
          'the run it came from diverged or the file is damaged',
      );
    }
  }
}

// ------------------------------------------------------------------ models

export async function saveModel(
  model: nn.Module,
  name: string,
  path: string,
  extra: Record<string, string> = {},
): Promise<void> {
  const tensors = model.stateDict();
  const metadata = { ...extra, format: MODEL_FORMAT, model: name };
  await saveAtomic(tensors, path, { ...metadata, sha256: await contentDigest(tensors, metadata) });
}

export interface LoadedModel {
  model: nn.Module;
  name: string;
  /** The data set the file says the model was trained on (undefined for a plain state dict). */
  dataset: DatasetName | undefined;
}

/**
 * Rebuild the architecture named in the file's metadata (or `expected` for a plain state dict
 * without it) on `device` and load the weights. A file from another model than `expected`, with
 * weights of the wrong shape, dtype or with non-finite values is an error naming the file.
 */
export async function loadModel(path: string, device: string, expected?: string): Promise<LoadedModel> {
  const meta = readMeta(path, 'model file');
  const reader = new MetadataReader('model file', path, meta);
  if (meta.format !== undefined && meta.format !== MODEL_FORMAT) {
    const hint = meta.format === CHECKPOINT_FORMAT ? ' (a training checkpoint: use model.safetensors)' : '';
    reader.fail('format', `is '${meta.format}', expected '${MODEL_FORMAT}'${hint}`);
  }
  const name = meta.format === MODEL_FORMAT ? reader.string('model') : (meta.model ?? expected);
  if (name === undefined)
    throw new CliError(
      `${path} does not say which model it holds (no 'model' metadata); pass --model (${MODEL_NAMES.join(', ')})`,
      2,
    );
  if (!MODEL_NAMES.includes(name))
    throw new CliError(`${path} holds an unknown model '${name}'; valid models: ${MODEL_NAMES.join(', ')}`);
  if (expected !== undefined && name !== expected)
    throw new CliError(`${path} holds model '${name}', not '${expected}'`);
  const dataset = meta.dataset === undefined ? undefined : reader.oneOf('dataset', meta.dataset, DATASET_NAMES);
  // This app's model files always carry a checksum; a plain state dict from elsewhere has none.
  if (meta.format === MODEL_FORMAT) reader.string('sha256');
  setBackend(device);
  const model = createModel(name).to(device);
  const tensors = loadTensors(path, 'model file', device);
  try {
    await checkTensorValues('model file', path, tensors, meta);
    model.loadStateDict(tensors);
  } catch (error) {
    for (const p of model.parameters()) p.dispose();
    if (error instanceof CliError) throw error;
    throw new CliError(`${path}: ${(error as Error).message}`);
  } finally {
    disposeAll(tensors);
  }
  model.eval();
  return { model, name, dataset };
}

// ------------------------------------------------------------------ checkpoints

/** The data a run trained on: the flags (stored so that --resume trains on the same data) and the counts. */
export interface DataConfig {
  dataset: DatasetName;
  /** --data-dir as an absolute path, or null. */
  dataDir: string | null;
  download: boolean;
  limit: number | null;
  testLimit: number | null;
  trainSamples: number;
  testSamples: number;
}

export interface CheckpointInfo {
  model: string;
  epoch: number;
  config: TrainConfig;
  data: DataConfig;
  history: EpochRecord[];
}

interface SavedOptimizer {
  param_groups: optim.OptimizerStateDict['param_groups'];
  numeric: Record<string, Record<string, number>>;
}

interface SavedRng {
  default: number[];
  shuffle: number[];
}

interface CheckpointMeta extends CheckpointInfo {
  optimizer: SavedOptimizer;
  rng: SavedRng;
  /** The raw metadata (its 'sha256' field is required). */
  metadata: Record<string, string>;
}

function readConfig(r: MetadataReader, model: string): TrainConfig {
  const c = r.object('config', r.json('config'));
  if (c.model !== model) r.fail('config.model', `is ${show(c.model)}, but field 'model' is '${model}'`);
  return {
    model,
    device: typeof c.device === 'string' ? c.device : 'cpu',
    epochs: r.int('config.epochs', c.epochs, 1),
    batchSize: r.int('config.batchSize', c.batchSize, 1),
    lr: r.number('config.lr', c.lr, 'positive'),
    optimizer: r.oneOf('config.optimizer', c.optimizer, OPTIMIZER_NAMES),
    momentum: r.number('config.momentum', c.momentum, 'non-negative'),
    seed: r.int('config.seed', c.seed, 0),
  };
}

function readData(r: MetadataReader): DataConfig {
  const d = r.object('data', r.json('data'));
  if (d.dataDir !== null && typeof d.dataDir !== 'string')
    r.fail('data.dataDir', `must be a path or null, got ${show(d.dataDir)}`);
  if (typeof d.download !== 'boolean') r.fail('data.download', `must be true or false, got ${show(d.download)}`);
  const data: DataConfig = {
    dataset: r.oneOf('data.dataset', d.dataset, DATASET_NAMES),
    dataDir: d.dataDir as string | null,
    download: d.download,
    limit: r.intOrNull('data.limit', d.limit, 1),
    testLimit: r.intOrNull('data.testLimit', d.testLimit, 1),
    trainSamples: r.int('data.trainSamples', d.trainSamples, 1),
    testSamples: r.int('data.testSamples', d.testSamples, 1),
  };
  if (data.limit !== null && data.trainSamples > data.limit)
    r.fail('data.trainSamples', `is ${data.trainSamples}, more than data.limit ${data.limit}`);
  if (data.testLimit !== null && data.testSamples > data.testLimit)
    r.fail('data.testSamples', `is ${data.testSamples}, more than data.testLimit ${data.testLimit}`);
  return data;
}

function readHistory(r: MetadataReader, epoch: number): EpochRecord[] {
  const h = r.array('history', r.json('history'));
  if (h.length !== epoch) r.fail('history', `has ${h.length} epoch record(s), but field 'epoch' says ${epoch}`);
  return h.map((entry, i) => {
    const f = `history[${i}]`;
    const e = r.object(f, entry);
    if (e.epoch !== i + 1) r.fail(`${f}.epoch`, `must be ${i + 1}, got ${show(e.epoch)}`);
    const testOrNaN = (k: 'testLoss' | 'testAccuracy'): number =>
      e[k] === null ? Number.NaN : r.number(`${f}.${k}`, e[k], 'non-negative');
    return {
      epoch: i + 1,
      trainLoss: r.number(`${f}.trainLoss`, e.trainLoss, 'non-negative'),
      trainAccuracy: r.number(`${f}.trainAccuracy`, e.trainAccuracy, 'non-negative'),
      testLoss: testOrNaN('testLoss'),
      testAccuracy: testOrNaN('testAccuracy'),
      seconds: r.number(`${f}.seconds`, e.seconds, 'non-negative'),
      samplesPerSecond:
        e.samplesPerSecond === null ? 0 : r.number(`${f}.samplesPerSecond`, e.samplesPerSecond, 'non-negative'),
    };
  });
}

function readOptimizer(r: MetadataReader): SavedOptimizer {
  const o = r.object('optimizer', r.json('optimizer'));
  const groups = r.array('optimizer.param_groups', o.param_groups);
  if (groups.length !== 1) r.fail('optimizer.param_groups', `must hold one parameter group, got ${groups.length}`);
  const group = r.object('optimizer.param_groups[0]', groups[0]);
  const numeric = r.object('optimizer.numeric', o.numeric);
  const out: Record<string, Record<string, number>> = {};
  for (const [id, entry] of Object.entries(numeric)) {
    if (!/^(0|[1-9]\d*)$/.test(id)) r.fail(`optimizer.numeric.${id}`, 'is not a parameter index');
    const values = r.object(`optimizer.numeric.${id}`, entry);
    out[id] = {};
    for (const [k, v] of Object.entries(values)) out[id][k] = r.number(`optimizer.numeric.${id}.${k}`, v, 'finite');
  }
  return {
    param_groups: [group as optim.OptimizerStateDict['param_groups'][number]],
    numeric: out,
  };
}

function readRng(r: MetadataReader): SavedRng {
  const rng = r.object('rng', r.json('rng'));
  const state = (k: 'default' | 'shuffle'): number[] => {
    const s = r.array(`rng.${k}`, rng[k]);
    if (s.length !== 6) r.fail(`rng.${k}`, `must hold 6 numbers (a Generator state), got ${s.length}`);
    for (let i = 0; i < 4; i++) {
      const v = s[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 2 ** 32)
        r.fail(`rng.${k}[${i}]`, `must be a 32-bit unsigned integer, got ${show(v)}`);
    }
    r.number(`rng.${k}[4]`, s[4], 'finite');
    if (s[5] !== null) r.number(`rng.${k}[5]`, s[5], 'finite');
    // JSON has no NaN: a null spare normal is NaN in Generator.getState().
    return s.map((v) => (v === null ? Number.NaN : (v as number)));
  };
  return { default: state('default'), shuffle: state('shuffle') };
}

function readCheckpointMeta(path: string): CheckpointMeta {
  const meta = readMeta(path, 'checkpoint');
  const r = new MetadataReader('checkpoint', path, meta);
  if (meta.format !== CHECKPOINT_FORMAT) {
    const hint = meta.format === MODEL_FORMAT ? ' (a saved model, not a checkpoint: use checkpoint.safetensors)' : '';
    throw new CliError(`${path} is not a flint-mnist checkpoint (format '${meta.format ?? 'none'}')${hint}`);
  }
  const model = r.oneOf('model', r.string('model'), MODEL_NAMES);
  const epochText = r.string('epoch');
  if (!/^(0|[1-9]\d*)$/.test(epochText) || !Number.isSafeInteger(Number(epochText)))
    r.fail('epoch', `must be a whole number of epochs done (0, 1, 2, ...), got '${preview(epochText)}'`);
  const epoch = Number(epochText);
  const config = readConfig(r, model);
  if (epoch > config.epochs) r.fail('epoch', `is ${epoch}, more than the ${config.epochs} epochs in 'config.epochs'`);
  return {
    model,
    epoch,
    config,
    data: readData(r),
    history: readHistory(r, epoch),
    optimizer: readOptimizer(r),
    rng: readRng(r),
    metadata: { ...meta, sha256: r.string('sha256') },
  };
}

/** Metadata of a checkpoint, every field checked (no tensors are read); a file that is not a checkpoint is an error. */
export function readCheckpointInfo(path: string): CheckpointInfo {
  const { model, epoch, config, data, history } = readCheckpointMeta(path);
  return { model, epoch, config, data, history };
}

/** Model weights, optimizer state, epochs done, both generators, the data flags and the history, written atomically. */
export async function saveCheckpoint(trainer: Trainer, data: DataConfig, path: string): Promise<void> {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(trainer.model.stateDict())) tensors[`model.${k}`] = t;
  const sd = trainer.optimizer.stateDict();
  const numericState: Record<string, Record<string, number>> = {};
  for (const [id, entry] of Object.entries(sd.state)) {
    for (const [k, v] of Object.entries(entry)) {
      if (typeof v === 'number') {
        numericState[id] ??= {};
        numericState[id][k] = v;
      } else if (!Array.isArray(v)) tensors[`optimizer.${id}.${k}`] = v; // lists: LBFGS only, not an app optimizer
    }
  }
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    model: trainer.config.model,
    epoch: String(trainer.epoch),
    config: JSON.stringify(trainer.config),
    data: JSON.stringify(data),
    optimizer: JSON.stringify({ param_groups: sd.param_groups, numeric: numericState }),
    rng: JSON.stringify({ default: defaultGenerator.getState(), shuffle: trainer.shuffle.getState() }),
    history: JSON.stringify(trainer.history),
  };
  await saveAtomic(tensors, path, { ...metadata, sha256: await contentDigest(tensors, metadata) });
}

/** The state names the run's optimizer keeps per parameter once it has stepped: tensors and host numbers. */
function expectedState(config: TrainConfig): { tensors: string[]; numbers: string[]; why: string } {
  if (config.optimizer === 'adam')
    return { tensors: ['exp_avg', 'exp_avg_sq'], numbers: ['step'], why: 'adam keeps exp_avg, exp_avg_sq and step' };
  if (config.momentum !== 0)
    return {
      tensors: ['momentum_buffer'],
      numbers: [],
      why: `sgd with momentum ${config.momentum} keeps a momentum_buffer per parameter`,
    };
  return { tensors: [], numbers: [], why: 'sgd without momentum keeps no state' };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Check the optimizer part of a checkpoint against a fresh optimizer of the run's config: the
 * parameter group has that optimizer's options with the config's values, and every parameter has
 * exactly the state that optimizer keeps, with the parameter's shape.
 */
function optimizerState(
  path: string,
  info: CheckpointMeta,
  optimizer: optim.Optimizer,
  params: [string, Tensor][],
  tensors: Record<number, Record<string, Tensor>>,
): optim.OptimizerStateDict {
  const r = new MetadataReader('checkpoint', path, {});
  const fresh = optimizer.stateDict().param_groups[0]!;
  const saved = info.optimizer.param_groups[0]!;
  const freshKeys = Object.keys(fresh).sort();
  const savedKeys = Object.keys(saved).sort();
  if (!sameValue(freshKeys, savedKeys)) {
    r.fail(
      'optimizer.param_groups[0]',
      `has the options ${savedKeys.join(', ')}, but the run's optimizer (${info.config.optimizer}, field 'config.optimizer') has ${freshKeys.join(', ')}: the state is another optimizer's`,
    );
  }
  // The app sets lr (and SGD's momentum) from the config and leaves every other option at its
  // default, so the saved group must equal a fresh optimizer's.
  if (saved.lr !== info.config.lr)
    r.fail('optimizer.param_groups[0].lr', `is ${show(saved.lr)}, but 'config.lr' is ${info.config.lr}`);
  if (info.config.optimizer === 'sgd' && saved.momentum !== info.config.momentum)
    r.fail(
      'optimizer.param_groups[0].momentum',
      `is ${show(saved.momentum)}, but 'config.momentum' is ${info.config.momentum}`,
    );
  for (const k of freshKeys)
    if (!sameValue(saved[k], fresh[k]))
      r.fail(
        `optimizer.param_groups[0].${k}`,
        `is ${show(saved[k])}, but this run's ${info.config.optimizer} has ${show(fresh[k])}`,
      );

  const expected = expectedState(info.config);
  const stepsPerEpoch = Math.ceil(info.data.trainSamples / info.config.batchSize);
  const state: Record<number, Record<string, Tensor | number>> = {};
  for (const [id, entry] of Object.entries(tensors)) {
    for (const [k, t] of Object.entries(entry)) {
      const key = `optimizer.${id}.${k}`;
      const param = params[Number(id)];
      if (param === undefined)
        throw new CliError(
          `checkpoint ${path}: tensor '${key}' is for parameter ${id}; the model has ${params.length}`,
        );
      if (info.epoch === 0 || !expected.tensors.includes(k))
        throw new CliError(
          `checkpoint ${path}: tensor '${key}' does not belong to this run's optimizer (${expected.why}${info.epoch === 0 ? ', and none before the first step' : ''})`,
        );
      if (!sameValue(t.shape, param[1].shape))
        throw new CliError(
          `checkpoint ${path}: tensor '${key}' has shape [${t.shape.join(', ')}], but its parameter '${param[0]}' has shape [${param[1].shape.join(', ')}]`,
        );
      state[Number(id)] ??= {};
      state[Number(id)]![k] = t;
    }
  }
  for (const [id, entry] of Object.entries(info.optimizer.numeric)) {
    for (const [k, v] of Object.entries(entry)) {
      const field = `optimizer.numeric.${id}.${k}`;
      if (params[Number(id)] === undefined) r.fail(field, `is for parameter ${id}; the model has ${params.length}`);
      if (info.epoch === 0 || !expected.numbers.includes(k))
        r.fail(field, `does not belong to this run's optimizer (${expected.why})`);
      // Adam's step counts the optimisation steps done: epochs x batches per epoch.
      if (k === 'step' && v !== info.epoch * stepsPerEpoch)
        r.fail(
          field,
          `is ${v}, but ${info.epoch} epoch(s) of ${info.data.trainSamples} samples in batches of ${info.config.batchSize} are ${info.epoch * stepsPerEpoch} steps`,
        );
      state[Number(id)] ??= {};
      state[Number(id)]![k] = v;
    }
  }
  if (info.epoch > 0) {
    params.forEach(([name], id) => {
      for (const k of expected.tensors)
        if (typeof state[id]?.[k] !== 'object')
          throw new CliError(
            `checkpoint ${path}: tensor 'optimizer.${id}.${k}' (state of parameter '${name}') is missing; ${expected.why} once it has stepped`,
          );
      for (const k of expected.numbers)
        if (typeof state[id]?.[k] !== 'number')
          r.fail(`optimizer.numeric.${id}.${k}`, `is missing (state of parameter '${name}'; ${expected.why})`);
    });
  }
  return { state, param_groups: info.optimizer.param_groups };
}

/**
 * A Trainer in the state the checkpoint recorded, on `device`, training to `epochs` (default: the
 * checkpoint's target); every field and tensor is checked first.
 */
export async function restoreCheckpoint(path: string, device: string, epochs?: number): Promise<Trainer> {
  const info = readCheckpointMeta(path);
  const config: TrainConfig = { ...info.config, device, epochs: epochs ?? info.config.epochs };
  setBackend(device);
  const model = createModel(config.model).to(device);
  const optimizer = makeOptimizer(model, config);
  const tensors = loadTensors(path, 'checkpoint', device);
  try {
    await checkTensorValues('checkpoint', path, tensors, info.metadata);
    const modelState: Record<string, Tensor> = {};
    const optTensors: Record<number, Record<string, Tensor>> = {};
    for (const [k, t] of Object.entries(tensors)) {
      const opt = /^optimizer\.(0|[1-9]\d*)\.(.+)$/.exec(k);
      if (k.startsWith('model.')) modelState[k.slice('model.'.length)] = t;
      else if (opt !== null) {
        optTensors[Number(opt[1])] ??= {};
        optTensors[Number(opt[1])]![opt[2]!] = t;
      } else
        throw new CliError(
          `checkpoint ${path}: tensor '${k}' is neither a model weight (model.*) nor optimizer state (optimizer.<index>.*)`,
        );
    }
    const params: [string, Tensor][] = model.namedParameters();
    const optState = optimizerState(path, info, optimizer, params, optTensors);
    try {
      model.loadStateDict(modelState);
    } catch (error) {
      throw new CliError(
        `checkpoint ${path}: the model.* tensors do not fit ${config.model}: ${(error as Error).message}`,
      );
    }
    optimizer.loadStateDict(optState);
  } catch (error) {
    optimizer.disposeState();
    for (const p of model.parameters()) p.dispose();
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot restore checkpoint ${path}: ${(error as Error).message}`);
  } finally {
    disposeAll(tensors);
  }
  defaultGenerator.setState(info.rng.default);
  const trainer = new Trainer(config, model, optimizer, new Generator(0).setState(info.rng.shuffle));
  trainer.epoch = info.epoch;
  trainer.history = info.history;
  model.train();
  return trainer;
}
