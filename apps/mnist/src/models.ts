/**
 * The three digit classifiers, written as PyTorch-style classes on the public @flint/core API.
 * Every model takes a batch of images shaped [N, 1, 28, 28] and returns logits [N, 10].
 */
import { nn, type Tensor } from '@flint/core';
import { CliError } from './errors.js';

/** The course's network: 784-16-16-10 with sigmoid activations, 13,002 parameters. */
export class MlpSmall extends nn.Module {
  flatten = new nn.Flatten();
  layers = new nn.Sequential(
    new nn.Linear(784, 16),
    new nn.Sigmoid(),
    new nn.Linear(16, 16),
    new nn.Sigmoid(),
    new nn.Linear(16, 10),
  );

  override forward(x: Tensor): Tensor {
    return this.layers(this.flatten(x));
  }
}

/** 784-512-512-10 with ReLU (PyTorch's quickstart network). */
export class Mlp extends nn.Module {
  flatten = new nn.Flatten();
  layers = new nn.Sequential(
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );

  override forward(x: Tensor): Tensor {
    return this.layers(this.flatten(x));
  }
}

/** LeNet-5 with ReLU and max pooling: conv 6@5x5 (pad 2), pool, conv 16@5x5, pool, 120, 84, 10. */
export class LeNet extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
  );
  classifier = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(16 * 5 * 5, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, 10),
  );

  override forward(x: Tensor): Tensor {
    return this.classifier(this.features(x));
  }
}

export interface ModelSpec {
  /** Builds a freshly initialised model (from the default generator: call manualSeed first). */
  create: () => nn.Module;
  description: string;
  /** Default SGD learning rate for this model (momentum 0.9, batch 64). */
  defaultLr: number;
  /** Test accuracy the issue requires after 10 epochs on the embedded data (PyTorch reaches the second number). */
  requiredAccuracy: number;
  pytorchAccuracy: number;
}

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  'mlp-small': {
    create: () => new MlpSmall(),
    description: "784-16-16-10 sigmoid MLP (the course's network)",
    defaultLr: 0.5,
    requiredAccuracy: 0.9,
    pytorchAccuracy: 0.912,
  },
  mlp: {
    create: () => new Mlp(),
    description: '784-512-512-10 ReLU MLP',
    defaultLr: 0.05,
    requiredAccuracy: 0.955,
    pytorchAccuracy: 0.962,
  },
  lenet: {
    create: () => new LeNet(),
    description: 'LeNet-5 (conv 6@5x5 pad 2, pool, conv 16@5x5, pool, 120, 84, 10; ReLU)',
    defaultLr: 0.05,
    requiredAccuracy: 0.97,
    pytorchAccuracy: 0.97,
  },
};

export const MODEL_NAMES = Object.keys(MODELS);

export function modelSpec(name: string): ModelSpec {
  const spec = MODELS[name];
  if (spec === undefined) throw new CliError(`unknown model '${name}'; valid models: ${MODEL_NAMES.join(', ')}`, 2);
  return spec;
}

export function createModel(name: string): nn.Module {
  return modelSpec(name).create();
}

export function countParameters(model: nn.Module): number {
  return model.parameters().reduce((n, p) => n + p.numel, 0);
}
