/**
 * Training in the page with the CLI's own batches and step (makeBatch, trainStep from
 * @flint/mnist/train, which needs only @flint/core): the backend is
 * chosen with setBackend, `manualSeed(seed)` then the model (same initial weights everywhere), SGD
 * with momentum 0.9, the sample order of each epoch from `new Generator(seed).randperm(count)`,
 * batches cut on the host and uploaded, each step inside tidy(), one read-back of [loss, correct].
 */
import { Generator, fromArray, manualSeed, type nn, noGrad, optim, setBackend, tidy, type Tensor } from '@flint/core';
import { makeBatch, type StepResult, trainStep } from '@flint/mnist/train';
import type { ImageSet } from './data.js';
import { modelSpec } from './models.js';

export interface TrainConfig {
  model: string;
  device: string;
  batchSize: number;
  lr: number;
  momentum: number;
  seed: number;
}

/** Give the page a turn to paint and handle input (a macrotask without setTimeout's clamping). */
export function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export class Trainer {
  readonly model: nn.Module;
  readonly optimizer: optim.Optimizer;
  private readonly shuffle: Generator;
  private order: Int32Array | null = null;
  private pos = 0;
  epoch = 0;
  steps = 0;

  constructor(
    readonly config: TrainConfig,
    private readonly train: ImageSet,
  ) {
    setBackend(config.device);
    manualSeed(config.seed);
    this.model = modelSpec(config.model).create().to(config.device);
    this.model.train();
    this.optimizer = new optim.SGD(this.model.parameters(), { lr: config.lr, momentum: config.momentum });
    this.shuffle = new Generator(config.seed);
  }

  /** One SGD step on the next batch of the current epoch's order (a new order each epoch). */
  async step(): Promise<StepResult> {
    if (this.order === null || this.pos >= this.train.count) {
      this.order = this.shuffle.randperm(this.train.count);
      this.pos = 0;
      if (this.steps > 0) this.epoch++;
    }
    const indices = this.order.subarray(this.pos, Math.min(this.train.count, this.pos + this.config.batchSize));
    this.pos += indices.length;
    const result = await trainStep(this.model, this.optimizer, this.train, indices, this.config.device);
    this.steps++;
    return result;
  }

  /** Free the parameters and the optimizer state. */
  dispose(): void {
    this.optimizer.zeroGrad();
    this.optimizer.disposeState();
    for (const p of this.model.parameters()) p.dispose();
  }
}

/** Accuracy on a split, in batches, without gradients. */
export async function evaluate(model: nn.Module, set: ImageSet, device: string, batchSize = 500): Promise<number> {
  const wasTraining = model.training;
  model.eval();
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const end = Math.min(set.count, start + batchSize);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    const hits = noGrad(() =>
      tidy(() => {
        const { x, y } = makeBatch(set, indices, device);
        return (model(x) as Tensor).argmax(1).eq(y).float().sum();
      }),
    );
    correct += (await hits.data())[0]!;
    hits.dispose();
    await yieldToPage();
  }
  model.train(wasTraining);
  return correct / Math.max(1, set.count);
}

/** Class probabilities (softmax of the logits) of one 28x28 image. */
export async function predict(model: nn.Module, image: Float32Array, device: string): Promise<number[]> {
  const wasTraining = model.training;
  model.eval();
  const probs = noGrad(() => tidy(() => (model(fromArray(image, [1, 1, 28, 28], { device })) as Tensor).softmax(1)));
  const out = Array.from(await probs.data());
  probs.dispose();
  model.train(wasTraining);
  return out;
}
