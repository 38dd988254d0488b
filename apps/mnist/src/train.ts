/**
 * The training loop, evaluation and prediction on the public @flint/core API.
 *
 * Batches are cut on the host from the data layer's typed arrays in an order drawn from a seeded
 * Generator and uploaded per step (fromArray with the target device), so the same seed gives the
 * same batches on every backend. Each step runs inside tidy(): everything the step allocates is
 * freed except the parameters, their gradients and the optimizer state, so memory stays flat.
 */
import {
  Generator,
  fromArray,
  manualSeed,
  memory,
  nn,
  noGrad,
  optim,
  setBackend,
  stack,
  tidy,
  type Tensor,
} from '@flint/core';
import type { ImageSet } from './data/index.js';
import { CliError } from './errors.js';
import { createModel, modelSpec } from './models.js';
import type { EpochRecord } from './report.js';

export type OptimizerName = 'sgd' | 'adam';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam'];

export interface TrainConfig {
  model: string;
  device: string;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerName;
  momentum: number;
  seed: number;
}

export function makeOptimizer(
  model: nn.Module,
  config: Pick<TrainConfig, 'optimizer' | 'lr' | 'momentum'>,
): optim.Optimizer {
  switch (config.optimizer) {
    case 'sgd':
      return new optim.SGD(model.parameters(), { lr: config.lr, momentum: config.momentum });
    case 'adam':
      return new optim.Adam(model.parameters(), { lr: config.lr });
    default:
      throw new CliError(
        `unknown optimizer '${String(config.optimizer)}'; valid optimizers: ${OPTIMIZER_NAMES.join(', ')}`,
        2,
      );
  }
}

/** What a batch is cut from: any split's pixels and labels (its source does not matter). */
export type BatchSource = Omit<ImageSet, 'source'>;

/** Copy the images and labels at `indices` into one batch, uploaded to `device` as [B, 1, 28, 28] and int32 [B]. */
export function makeBatch(set: BatchSource, indices: ArrayLike<number>, device: string): { x: Tensor; y: Tensor } {
  const size = set.rows * set.cols;
  const b = indices.length;
  const pixels = new Float32Array(b * size);
  const labels = new Int32Array(b);
  for (let i = 0; i < b; i++) {
    const k = indices[i]!;
    pixels.set(set.images.subarray(k * size, (k + 1) * size), i * size);
    labels[i] = set.labels[k]!;
  }
  return {
    x: fromArray(pixels, [b, 1, set.rows, set.cols], { device }),
    y: fromArray(labels, [b], { dtype: 'int32', device }),
  };
}

/** The first `limit` samples of a split (all of them when limit is undefined). */
export function limitSet(set: ImageSet, limit: number | undefined): ImageSet {
  if (limit === undefined || limit >= set.count) return set;
  const size = set.rows * set.cols;
  return { ...set, images: set.images.subarray(0, limit * size), labels: set.labels.subarray(0, limit), count: limit };
}

export interface StepResult {
  loss: number;
  correct: number;
  size: number;
}

/**
 * Let timers and signal handlers run. A cpu step only awaits already-settled promises, so without
 * this an epoch never returns to the event loop: Ctrl-C would wait for the epoch's end.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Live bytes on one device as core counts them. */
export function deviceBytes(device: string): number {
  return memory().backends[device]?.bytes ?? 0;
}

/**
 * One optimisation step on a batch, inside tidy(). Returns the batch loss and the number of
 * correct predictions (one read-back of two numbers).
 */
export async function trainStep(
  model: nn.Module,
  optimizer: optim.Optimizer,
  set: BatchSource,
  indices: ArrayLike<number>,
  device: string,
  onPeak?: (bytes: number) => void,
): Promise<StepResult> {
  const stats = tidy(() => {
    const { x, y } = makeBatch(set, indices, device);
    optimizer.zeroGrad();
    const logits = model(x) as Tensor;
    const loss = nn.F.crossEntropy(logits, y);
    loss.backward();
    optimizer.step();
    const correct = noGrad(() => logits.argmax(1).eq(y).float().sum());
    if (onPeak !== undefined) onPeak(deviceBytes(device));
    return noGrad(() => stack([loss.detach(), correct]));
  });
  const [loss, correct] = await stats.data();
  stats.dispose();
  return { loss: loss!, correct: correct!, size: indices.length };
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  /** Predicted class per sample. */
  predictions: Uint8Array;
}

/** Sees the running totals after each batch: samples done, mean loss, accuracy, samples per second. */
export type ProgressCallback = (done: number, loss: number, accuracy: number, samplesPerSecond: number) => void;

/** Mean cross-entropy and accuracy over a whole split, in batches, without gradients. */
export async function evaluate(
  model: nn.Module,
  set: ImageSet,
  device: string,
  batchSize = 500,
  onBatch?: ProgressCallback,
): Promise<EvalResult> {
  const wasTraining = model.training;
  model.eval();
  const predictions = new Uint8Array(set.count);
  let lossSum = 0;
  let correct = 0;
  const t0 = performance.now();
  for (let start = 0; start < set.count; start += batchSize) {
    const end = Math.min(set.count, start + batchSize);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    const [lossT, predT] = noGrad(() =>
      tidy(() => {
        const { x, y } = makeBatch(set, indices, device);
        const logits = model(x) as Tensor;
        return [nn.F.crossEntropy(logits, y, { reduction: 'sum' }), logits.argmax(1)] as const;
      }),
    );
    lossSum += (await lossT.data())[0]!;
    const pred = await predT.data();
    lossT.dispose();
    predT.dispose();
    for (let i = 0; i < pred.length; i++) {
      predictions[start + i] = pred[i]!;
      if (pred[i] === set.labels[start + i]) correct++;
    }
    const elapsed = Math.max((performance.now() - t0) / 1000, 1e-9);
    onBatch?.(end, lossSum / end, correct / end, end / elapsed);
    await yieldToEventLoop();
  }
  model.train(wasTraining);
  return { loss: lossSum / Math.max(1, set.count), accuracy: correct / Math.max(1, set.count), predictions };
}

/** Class probabilities (softmax of the logits) for a batch of images given as a flat Float32Array. */
export async function predictProbabilities(
  model: nn.Module,
  images: Float32Array,
  device: string,
): Promise<number[][]> {
  const n = images.length / 784;
  model.eval();
  const probs = noGrad(() => tidy(() => (model(fromArray(images, [n, 1, 28, 28], { device })) as Tensor).softmax(1)));
  const flat = await probs.data();
  probs.dispose();
  return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * 10, (i + 1) * 10)));
}

/**
 * A model, its optimizer and the shuffling generator, with the per-epoch history: everything a
 * checkpoint holds.
 */
export class Trainer {
  /** Epochs completed. */
  epoch = 0;
  history: EpochRecord[] = [];
  /** Largest live-bytes count seen on the device during a step (activations + parameters + state). */
  peakBytes = 0;
  /** The test-set evaluation after the last epoch trained in this process. */
  lastEval: EvalResult | null = null;

  constructor(
    readonly config: TrainConfig,
    readonly model: nn.Module,
    readonly optimizer: optim.Optimizer,
    /** Draws each epoch's sample order. */
    readonly shuffle: Generator,
  ) {}

  /**
   * A fresh model on `config.device`. The weights come from `manualSeed(seed)` on the host, so the
   * same seed gives the same initial weights on every backend.
   */
  static create(config: TrainConfig): Trainer {
    modelSpec(config.model);
    setBackend(config.device);
    manualSeed(config.seed);
    const model = createModel(config.model).to(config.device);
    model.train();
    const optimizer = makeOptimizer(model, config);
    return new Trainer(config, model, optimizer, new Generator(config.seed));
  }

  /** The sample order of the next epoch. */
  epochOrder(count: number): Int32Array {
    return this.shuffle.randperm(count);
  }

  /** One optimisation step on the samples at `indices` of `set`. */
  trainBatch(set: ImageSet, indices: ArrayLike<number>): Promise<StepResult> {
    return trainStep(this.model, this.optimizer, set, indices, this.config.device, (b) => {
      if (b > this.peakBytes) this.peakBytes = b;
    });
  }

  /** Free the parameters and the optimizer state (the trainer cannot be used afterwards). */
  dispose(): void {
    this.optimizer.zeroGrad();
    this.optimizer.disposeState();
    for (const p of this.model.parameters()) p.dispose();
  }

  /**
   * Train one epoch, then evaluate on `test`; `onStep` and `onEvalBatch` see the running loss and
   * accuracy (for progress bars; either may throw to stop the epoch).
   */
  async trainEpoch(
    train: ImageSet,
    test: ImageSet | null,
    onStep?: ProgressCallback,
    onEvalBatch?: ProgressCallback,
  ): Promise<EpochRecord> {
    const { batchSize, device } = this.config;
    const order = this.epochOrder(train.count);
    this.model.train();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    const t0 = performance.now();
    for (let start = 0; start < train.count; start += batchSize) {
      const indices = order.subarray(start, Math.min(train.count, start + batchSize));
      const r = await this.trainBatch(train, indices);
      lossSum += r.loss * r.size;
      correct += r.correct;
      seen += r.size;
      const elapsed = (performance.now() - t0) / 1000;
      onStep?.(seen, lossSum / seen, correct / seen, seen / Math.max(elapsed, 1e-9));
      await yieldToEventLoop();
    }
    const seconds = (performance.now() - t0) / 1000;
    const evalResult = test === null ? null : await evaluate(this.model, test, device, 500, onEvalBatch);
    this.lastEval = evalResult;
    this.epoch += 1;
    const record: EpochRecord = {
      epoch: this.epoch,
      trainLoss: lossSum / seen,
      trainAccuracy: correct / seen,
      testLoss: evalResult?.loss ?? Number.NaN,
      testAccuracy: evalResult?.accuracy ?? Number.NaN,
      seconds,
      samplesPerSecond: seen / seconds,
    };
    this.history.push(record);
    return record;
  }
}
