/**
 * The CLI's digit classifiers (apps/mnist/src/models.ts), written again here because that module's
 * package also holds Node-only code. Same classes, same layer order, so `manualSeed(s)` gives the
 * same initial weights and a `model.safetensors` from `pnpm mnist train` loads (same key names);
 * the browser tests check both against the CLI.
 */
import { nn, type Tensor } from '@flint/core';

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
  create: () => nn.Module;
  description: string;
  /** The CLI's default SGD learning rate (momentum 0.9, batch 64). */
  defaultLr: number;
}

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  'mlp-small': { create: () => new MlpSmall(), description: '784-16-16-10 sigmoid MLP', defaultLr: 0.5 },
  lenet: { create: () => new LeNet(), description: 'LeNet-5', defaultLr: 0.05 },
  mlp: { create: () => new Mlp(), description: '784-512-512-10 ReLU MLP', defaultLr: 0.05 },
};

export function modelSpec(name: string): ModelSpec {
  const spec = MODELS[name];
  if (spec === undefined) throw new Error(`unknown model '${name}'; valid models: ${Object.keys(MODELS).join(', ')}`);
  return spec;
}
