/**
 * The `mnist` command line: train (default), eval, predict, parity, bench.
 * `runCli(argv, io)` parses and runs one command and resolves to the exit code (0 ok, 1 failure,
 * 2 usage error), so tests drive it in-process; `main()` wires it to the process.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BACKEND_CHOICES } from './backends.js';
import { CliError } from './errors.js';
import { MODEL_NAMES } from './models.js';
import type { Output } from './progress.js';
import { OPTIMIZER_NAMES } from './train.js';
import { runCommand } from './commands/index.js';

import { DATASET_NAMES, type DatasetName } from './data/index.js';

export { DATASET_NAMES, type DatasetName };

/** The commands, for the help and the unknown-command error. */
export const COMMAND_NAMES = ['train', 'eval', 'predict', 'parity', 'bench'] as const;

/** Epochs of a plain `pnpm mnist` (the accuracy benchmark always runs 10). */
export const DEFAULT_EPOCHS = 10;
export const DEFAULT_BATCH_SIZE = 64;
export const DEFAULT_MOMENTUM = 0.9;

/** Options shared by the commands (each command declares the subset it uses). */
export interface CommonOptions {
  model: string;
  backend: string;
  dataset: DatasetName;
  dataDir?: string;
  download?: boolean;
  epochs: number;
  batchSize: number;
  lr?: number;
  optimizer: 'sgd' | 'adam';
  momentum: number;
  seed: number;
  limit?: number;
  testLimit?: number;
  out?: string;
  json?: boolean;
  /** Whether --model was given on the command line (not the default). */
  modelExplicit: boolean;
  /** The options given on the command line (attribute names: 'limit', 'batchSize', ...), not defaults. */
  explicit: readonly string[];
}

export interface TrainOptions extends CommonOptions {
  resume?: string | boolean;
}
export interface EvalOptions extends CommonOptions {
  file?: string;
}
export interface PredictOptions extends CommonOptions {
  file?: string;
  index?: number[];
  images: string[];
}
export interface ExportOptions extends CommonOptions {
  file?: string;
  format: string;
  output?: string;
  opset: number;
}
export interface ParityOptions extends CommonOptions {
  steps: number;
  tolerance: number;
}
export interface BenchOptions extends Omit<CommonOptions, 'epochs'> {
  epochs?: number;
  models: string[];
  accuracy?: boolean;
  /** The per-backend full-epoch benchmark (the comparison with PyTorch is the default). */
  fullEpoch?: boolean;
  runs?: number;
  reference: boolean;
  /** The comparison with PyTorch: rounds, steps per round, warm-up steps, batch-1 calls per round, memory steps. */
  rounds?: number;
  steps?: number;
  warmup?: number;
  inferCalls?: number;
  memorySteps?: number;
  pytorch: boolean;
  python?: string;
}

function intArg(name: string, min: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\s*[-+]?\d+\s*$/.test(value) || !Number.isSafeInteger(n))
      throw new InvalidArgumentError(`${name} must be an integer, got '${value}'.`);
    if (n < min) throw new InvalidArgumentError(`${name} must be at least ${min}, got ${n}.`);
    return n;
  };
}

function numberArg(name: string, positive: boolean): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n))
      throw new InvalidArgumentError(`${name} must be a number, got '${value}'.`);
    if (positive ? !(n > 0) : !(n >= 0))
      throw new InvalidArgumentError(`${name} must be ${positive ? 'positive' : 'non-negative'}, got ${n}.`);
    return n;
  };
}

type Opt = 'model' | 'backend' | 'dataset' | 'data' | 'epochs' | 'batch' | 'optim' | 'seed' | 'limit' | 'out' | 'json';

function addOptions(
  cmd: Command,
  which: readonly Opt[],
  defaults: { backend?: string; dataset?: string; epochs?: number | null } = {},
): Command {
  const has = (o: Opt): boolean => which.includes(o);
  if (has('model')) cmd.addOption(new Option('-m, --model <name>', 'model').choices(MODEL_NAMES).default('mlp-small'));
  if (has('backend')) {
    cmd.addOption(
      new Option('-b, --backend <name>', 'compute backend (all = every installed backend)')
        .choices(BACKEND_CHOICES)
        .default(defaults.backend ?? process.env.FLINT_BACKEND ?? 'cpu'),
    );
  }
  if (has('dataset'))
    cmd.addOption(
      new Option('--dataset <name>', 'data set').choices(DATASET_NAMES).default(defaults.dataset ?? 'mnist'),
    );
  if (has('data')) {
    cmd.option('--data-dir <dir>', 'directory with the four IDX files (raw or .gz) instead of the default data');
    cmd.option('--download', 'download the full MNIST (60,000 training digits) into the cache on first use');
    cmd.option('--test-limit <n>', 'use only the first n test samples', intArg('--test-limit', 1));
  }
  if (has('epochs')) {
    if (defaults.epochs === null)
      cmd.option('-e, --epochs <n>', 'epochs (default: 1; 10 with --accuracy)', intArg('--epochs', 1));
    else cmd.option('-e, --epochs <n>', 'epochs', intArg('--epochs', 1), defaults.epochs ?? DEFAULT_EPOCHS);
  }
  if (has('batch')) cmd.option('--batch-size <n>', 'mini-batch size', intArg('--batch-size', 1), DEFAULT_BATCH_SIZE);
  if (has('optim')) {
    cmd.option(
      '--lr <rate>',
      'learning rate (default: 0.5 for mlp-small, 0.05 for mlp and lenet; 0.001 with adam)',
      numberArg('--lr', true),
    );
    cmd.addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZER_NAMES).default('sgd'));
    cmd.option('--momentum <m>', 'SGD momentum', numberArg('--momentum', false), DEFAULT_MOMENTUM);
  }
  if (has('seed')) cmd.option('--seed <n>', 'random seed (initial weights and batch order)', intArg('--seed', 0), 0);
  if (has('limit')) cmd.option('--limit <n>', 'use only the first n training samples', intArg('--limit', 1));
  if (has('out')) cmd.option('-o, --out <dir>', 'output directory (default: out/<model>)');
  if (has('json')) cmd.option('--json', 'print the result as JSON on stdout (progress goes to stderr)');
  return cmd;
}

type Action = (options: Record<string, unknown>, command: Command) => Promise<void>;

/** Builds a fresh parser; `run` receives the chosen command's name and its parsed options. */
export function buildProgram(
  io: Output,
  run: (command: string, options: Record<string, unknown>) => Promise<number>,
): { program: Command; result: () => number | undefined } {
  let exitCode: number | undefined;
  const program = new Command('mnist');
  program
    .description("Flint's main job: train digit classifiers on every backend and prove they agree.")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  mnist                                       train mlp-small on the embedded digits (10 epochs)
  mnist train --model lenet --epochs 3        train LeNet-5
  mnist predict samples/digit-7-idx0.png      classify a PNG with out/mlp-small/model.safetensors
  mnist export --model lenet --format onnx    write out/lenet/model.onnx (for ONNX Runtime)
  mnist parity --backend all --model lenet    same seed on every backend, compare the losses
  mnist bench                                 Flint cpu vs PyTorch (1 thread): training, batch-1 latency, memory
  mnist bench --full-epoch --json             one epoch of Fashion-MNIST per model per backend
  mnist bench --accuracy                      10 epochs per model vs the required accuracies`,
    );

  const action =
    (name: string): Action =>
    async (options, command) => {
      const explicit = command.options
        .map((o) => o.attributeName())
        .filter((k) => command.getOptionValueSource(k) === 'cli');
      exitCode = await run(name, { ...options, modelExplicit: explicit.includes('model'), explicit });
    };

  const trainCommand = addOptions(
    program
      .command('train', { isDefault: true })
      .description(
        'train a model; writes report.html, chart.svg, model.safetensors and checkpoint.safetensors under --out',
      )
      .option(
        '--resume [checkpoint]',
        "continue from a checkpoint (default: <out>/checkpoint.safetensors). The run keeps the checkpoint's model, " +
          'data flags (--dataset, --data-dir, --download, --limit, --test-limit) and training flags (--batch-size, ' +
          '--lr, --optimizer, --momentum, --seed): leave them out, or give the same values; a different value is an ' +
          "error. --epochs is the new total (default: the checkpoint's).",
      )
      // A mistyped command lands here (train is the default): reported with the valid commands.
      .allowExcessArguments(true),
    ['model', 'backend', 'dataset', 'data', 'epochs', 'batch', 'optim', 'seed', 'limit', 'out', 'json'],
  );
  trainCommand.action(async (options: Record<string, unknown>, command: Command) => {
    const word = command.args[0];
    if (word !== undefined) throw unknownCommand(word);
    await action('train')(options, command);
  });

  addOptions(
    program
      .command('eval')
      .description('evaluate a saved model on the test set: accuracy and confusion matrix')
      .argument('[model-file]', 'saved model (default: out/<model>/model.safetensors)'),
    ['model', 'backend', 'dataset', 'data', 'out', 'json'],
  ).action(async (file: string | undefined, options: Record<string, unknown>, command: Command) => {
    await action('eval')({ ...options, file }, command);
  });

  addOptions(
    program
      .command('export')
      .description('write a saved model as ONNX (model.onnx next to the model file), with a dynamic batch axis')
      .argument('[model-file]', 'saved model (default: out/<model>/model.safetensors)')
      .addOption(new Option('--format <format>', 'output format').choices(['onnx']).default('onnx'))
      .option('--output <file>', 'where to write (default: model.onnx next to the model file)')
      .option('--opset <n>', 'ONNX opset version (17 or later)', intArg('--opset', 17), 17),
    ['model', 'backend', 'out', 'json'],
  ).action(async (file: string | undefined, options: Record<string, unknown>, command: Command) => {
    await action('export')({ ...options, file }, command);
  });

  addOptions(
    program
      .command('predict')
      .description(
        'classify PNG images (or test-set samples with --index) with a saved model, printing class probabilities',
      )
      .argument('[images...]', 'PNG files (any size, grayscale or colour)')
      .option('-f, --file <model-file>', 'saved model (default: out/<model>/model.safetensors)')
      .option('-i, --index <n...>', 'test-set indices to classify', (v: string, prev: number[] | undefined) => [
        ...(prev ?? []),
        intArg('--index', 0)(v),
      ]),
    ['model', 'backend', 'dataset', 'data', 'out', 'json'],
  ).action(async (images: string[], options: Record<string, unknown>, command: Command) => {
    await action('predict')({ ...options, images }, command);
  });

  addOptions(
    program
      .command('parity')
      .description('train the same seeded model for --steps steps on each backend and compare the losses with cpu')
      .option('--steps <n>', 'training steps per backend', intArg('--steps', 1), 50)
      .option(
        '--tolerance <rel>',
        'largest allowed relative deviation from cpu',
        numberArg('--tolerance', false),
        1e-4,
      ),
    ['model', 'backend', 'dataset', 'data', 'batch', 'optim', 'seed', 'limit', 'json'],
    { backend: 'all' },
  ).action(action('parity'));

  addOptions(
    program
      .command('bench')
      .description(
        "Flint's cpu backend vs PyTorch on one thread, interleaved in rounds: training samples/s, batch-1 inference latency and memory over 1,000 steps, with issue 12's targets; " +
          '--full-epoch: one epoch of Fashion-MNIST per model per backend (samples/s, peak memory), next to tfjs-layers; --accuracy: 10 epochs per model vs the required accuracies',
      )
      .addOption(new Option('-m, --model <name...>', 'models (default: all)').choices(MODEL_NAMES))
      .option('--rounds <n>', 'interleaved rounds (Flint, then PyTorch) per measurement', intArg('--rounds', 1), 5)
      .option(
        '--steps <n>',
        'training steps per round (default: 300 for mlp-small, 30 for mlp, 20 for lenet)',
        intArg('--steps', 1),
      )
      .option('--warmup <n>', 'untimed warm-up steps before the rounds (default: one round)', intArg('--warmup', 0))
      .option(
        '--infer-calls <n>',
        'batch-1 inference calls per round (default: 2000 for mlp-small, 300 for mlp and lenet)',
        intArg('--infer-calls', 1),
      )
      .option(
        '--memory-steps <n>',
        'training steps of the memory check on Flint (0 skips it)',
        intArg('--memory-steps', 0),
        1000,
      )
      .option('--no-pytorch', "skip PyTorch: Flint's figures only")
      .option('--python <path>', 'the Python interpreter that has torch', '/usr/bin/python3')
      .option(
        '--full-epoch',
        'the per-backend benchmark: one epoch (--epochs) per model per backend (--backend, default all) with test accuracy, next to tfjs-layers',
      )
      .option(
        '--accuracy',
        'accuracy benchmark: train each model 10 epochs on the embedded MNIST and compare with the required test accuracy',
      )
      .option(
        '--runs <n>',
        'with --accuracy: training runs per model, seeds --seed, --seed+1, ... (default 3); the mean is judged',
        intArg('--runs', 1),
      )
      .option('--no-reference', 'skip the TensorFlow.js tfjs-layers reference')
      .option(
        '-o, --out <dir>',
        'also write the results as JSON to <dir>/pytorch.json (--full-epoch: bench.json, --accuracy: accuracy.json)',
      ),
    ['backend', 'dataset', 'data', 'epochs', 'batch', 'optim', 'seed', 'limit', 'json'],
    { backend: 'all', dataset: 'fashion-mnist', epochs: null },
  ).action(async (options: Record<string, unknown>, command: Command) => {
    const models = (options.model as string[] | undefined) ?? MODEL_NAMES;
    await action('bench')({ ...options, models }, command);
  });

  return { program, result: () => exitCode };
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function unknownCommand(word: string): CliError {
  const closest = [...COMMAND_NAMES].sort((x, y) => editDistance(word, x) - editDistance(word, y))[0]!;
  const hint = editDistance(word, closest) <= 2 ? ` (did you mean '${closest}'?)` : '';
  return new CliError(
    `unknown command '${word}'${hint}; the commands are ${COMMAND_NAMES.join(', ')} (train is the default; run with --help for usage)`,
    2,
  );
}

export async function runCli(argv: readonly string[], io: Output): Promise<number> {
  const { program, result } = buildProgram(io, (name, options) => runCommand(name, options, io));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    if (error instanceof CliError) {
      io.err.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof Error && process.env.FLINT_DEBUG === undefined) {
      // Data-layer errors (a corrupt IDX file, a PNG that is not an image, a failed download) already name the file.
      io.err.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  return result() ?? 0;
}
