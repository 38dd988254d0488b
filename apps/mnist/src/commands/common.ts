/** Helpers shared by the commands: data loading, output paths, printing. */
import { join } from 'node:path';
import type { CommonOptions } from '../cli.js';
import { FASHION_MNIST_CLASSES, loadFashionMnist, loadMnist, type Dataset, type DatasetName } from '../data/index.js';
import { BACKEND_PACKAGES } from '../backends.js';
import { CliError } from '../errors.js';
import { modelSpec } from '../models.js';
import type { Output } from '../progress.js';
import { limitSet } from '../train.js';

export type { Output } from '../progress.js';

/**
 * The data set the options ask for, with --limit / --test-limit applied. Warnings (a failed
 * download, a limit larger than the data) go to `io.err`.
 */
export async function loadData(
  opts: Pick<CommonOptions, 'dataset' | 'dataDir' | 'download' | 'limit' | 'testLimit'>,
  io: Output,
): Promise<Dataset> {
  const ds =
    opts.dataset === 'fashion-mnist'
      ? loadFashionMnist(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir })
      : await loadMnist({
          ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }),
          download: opts.download === true,
        });
  const warnings = [...ds.warnings];
  for (const [flag, limit, set] of [
    ['--limit', opts.limit, ds.train],
    ['--test-limit', opts.testLimit, ds.test],
  ] as const) {
    if (limit !== undefined && limit > set.count)
      warnings.push(`${flag} ${limit} is more than the ${set.count} samples there are: all ${set.count} are used`);
  }
  for (const w of warnings) io.err.write(`warning: ${w}\n`);
  return { ...ds, warnings, train: limitSet(ds.train, opts.limit), test: limitSet(ds.test, opts.testLimit) };
}

/** The one backend of eval / predict: `all` is for parity and bench. */
export function oneBackend(command: string, backend: string): string {
  if (backend === 'all')
    throw new CliError(
      `${command} runs on one backend (${Object.keys(BACKEND_PACKAGES).join(', ')}); --backend all is for parity and bench, which compare backends`,
      2,
    );
  return backend;
}

/**
 * The data set to use with a saved model: --dataset when given (with a warning when the model file
 * says it was trained on another one), else the one the model file records, else --dataset's default.
 */
export function modelDataset(
  opts: Pick<CommonOptions, 'dataset' | 'explicit'>,
  trainedOn: DatasetName | undefined,
  file: string,
  io: Output,
): DatasetName {
  if (trainedOn === undefined) return opts.dataset;
  if (!opts.explicit.includes('dataset')) return trainedOn;
  if (opts.dataset !== trainedOn)
    io.err.write(
      `warning: ${file} was trained on ${trainedOn}, and you asked for ${opts.dataset}: its classes mean other things there, so expect chance-level results\n`,
    );
  return opts.dataset;
}

export function classNames(dataset: string): readonly string[] | undefined {
  return dataset === 'fashion-mnist' ? FASHION_MNIST_CLASSES : undefined;
}

export function outDir(opts: Pick<CommonOptions, 'out' | 'model'>): string {
  return opts.out ?? join('out', opts.model);
}

/** --lr, or the model's default (SGD) / 0.001 (Adam). */
export function learningRate(opts: Pick<CommonOptions, 'lr' | 'optimizer' | 'model'>): number {
  if (opts.lr !== undefined) return opts.lr;
  return opts.optimizer === 'adam' ? 1e-3 : modelSpec(opts.model).defaultLr;
}

/**
 * Where human-readable text goes: stdout normally, stderr with --json (stdout is then only JSON).
 */
export function textStream(io: Output, json: boolean | undefined): Output['out'] {
  return json === true ? (io.err as Output['out']) : io.out;
}

/** Pretty JSON with NaN/Infinity as null (JSON has neither). */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

export function writeJson(io: Output, value: unknown): void {
  io.out.write(jsonText(value));
}
