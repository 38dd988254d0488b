/**
 * PyTorch's "Quickstart" tutorial (Fashion-MNIST, NeuralNetwork, train / test loops, save and
 * load), line for line in Flint. Run from apps/mnist (its tsconfig maps @flint/* to the sources):
 *
 *   npx tsx ../../examples/quickstart.ts            # the tutorial: 60,000 images, 5 epochs
 *   npx tsx ../../examples/quickstart.ts --small    # 2,048 images, 2 epochs, lr 0.1
 *
 * The differences from the Python are JavaScript's: methods for operators (`pred.argmax(1).eq(y)`),
 * `noGrad(() => ...)` for `with torch.no_grad():`, `.item()` where Python indexes with a tensor,
 * and `tidy()` around a step, which frees its intermediate tensors at once (JavaScript's garbage
 * collector does not see backend memory).
 */
import '@flint/backend-cpu';
import { data, load, manualSeed, nn, noGrad, optim, save, tidy, type Tensor } from '@flint/core';
import { fashionMnist, fixedInit, isMain } from './common.js';

export class NeuralNetwork extends nn.Module {
  flatten = new nn.Flatten();
  linear_relu_stack = new nn.Sequential(
    new nn.Linear(28 * 28, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );

  override forward(x: Tensor): Tensor {
    x = this.flatten(x);
    const logits = this.linear_relu_stack(x);
    return logits;
  }
}

export const classes = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

type Loader = data.DataLoader<[Tensor, Tensor]>;

/** Returns each step's loss (the tutorial prints every 100th). */
export function train(
  dataloader: Loader,
  model: nn.Module,
  loss_fn: nn.Module,
  optimizer: optim.Optimizer,
  log: (line: string) => void = console.log,
): number[] {
  const size = dataloader.dataset.length;
  model.train();
  const losses: number[] = [];
  let batch = 0;
  for (const [X, y] of dataloader) {
    tidy(() => {
      // Compute prediction error
      const pred = model(X);
      const loss = loss_fn(pred, y);

      // Backpropagation
      loss.backward();
      optimizer.step();
      optimizer.zeroGrad();

      losses.push(loss.item());
      if (batch % 100 === 0) {
        const current = (batch + 1) * X.shape[0]!;
        log(
          `loss: ${loss.item().toFixed(6).padStart(7)}  [${String(current).padStart(5)}/${String(size).padStart(5)}]`,
        );
      }
    });
    batch++;
  }
  return losses;
}

export function test(
  dataloader: Loader,
  model: nn.Module,
  loss_fn: nn.Module,
  log: (line: string) => void = console.log,
): { loss: number; accuracy: number } {
  const size = dataloader.dataset.length;
  const num_batches = dataloader.length;
  model.eval();
  let test_loss = 0;
  let correct = 0;
  noGrad(() => {
    for (const [X, y] of dataloader) {
      tidy(() => {
        const pred = model(X);
        test_loss += loss_fn(pred, y).item();
        correct += pred.argmax(1).eq(y).type('float32').sum().item();
      });
    }
  });
  test_loss /= num_batches;
  correct /= size;
  log(`Test Error: \n Accuracy: ${(100 * correct).toFixed(1)}%, Avg loss: ${test_loss.toFixed(6).padStart(8)} \n`);
  return { loss: test_loss, accuracy: correct };
}

export interface QuickstartOptions {
  trainCount?: number;
  testCount?: number;
  epochs?: number;
  learningRate?: number;
  /** The tutorial's train loader shuffles; off, the run can be compared with PyTorch's. */
  shuffle?: boolean;
  /** examples/reference.py's weights instead of the seeded init (for the comparison). */
  fixedWeights?: boolean;
  /** Where the state dict goes (the tutorial's model.pth). */
  path?: string;
  log?: (line: string) => void;
}

export async function quickstart(options: QuickstartOptions = {}) {
  const log = options.log ?? console.log;
  const training_data = fashionMnist('train', options.trainCount);
  const test_data = fashionMnist('test', options.testCount);

  const batch_size = 64;

  // Create data loaders.
  const train_dataloader = new data.DataLoader(training_data, {
    batchSize: batch_size,
    shuffle: options.shuffle ?? true,
    autoDispose: true,
  });
  const test_dataloader = new data.DataLoader(test_data, { batchSize: batch_size, autoDispose: true });

  for (const [X, y] of test_dataloader) {
    log(`Shape of X [N, C, H, W]: [${X.shape.join(', ')}]`);
    log(`Shape of y: [${y.shape.join(', ')}] ${y.dtype}`);
    break;
  }

  let model = new NeuralNetwork();
  if (options.fixedWeights === true) fixedInit(model);
  log(String(model));

  const loss_fn = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: options.learningRate ?? 1e-3 });

  const epochs = options.epochs ?? 5;
  const trainLosses: number[] = [];
  const tests: { loss: number; accuracy: number }[] = [];
  for (let t = 0; t < epochs; t++) {
    log(`Epoch ${t + 1}\n-------------------------------`);
    trainLosses.push(...train(train_dataloader, model, loss_fn, optimizer, log));
    tests.push(test(test_dataloader, model, loss_fn, log));
  }
  log('Done!');

  const path = options.path ?? 'model.safetensors';
  await save(model.stateDict(), path);
  log(`Saved PyTorch Model State to ${path}`);

  model = new NeuralNetwork();
  model.loadStateDict(load(path));
  const reloaded = test(test_dataloader, model, loss_fn, () => {});

  model.eval();
  const [x, y] = test_data.get(0);
  let predicted = '';
  noGrad(() => {
    const pred = model(x);
    predicted = classes[pred.index(0).argmax(0).item()]!;
    pred.dispose();
  });
  const actual = classes[y.item()]!;
  log(`Predicted: "${predicted}", Actual: "${actual}"`);
  return { trainLosses, tests, reloaded, predicted, actual };
}

if (isMain(import.meta.url)) {
  manualSeed(0);
  const small = process.argv.includes('--small');
  await quickstart(small ? { trainCount: 2048, testCount: 1000, epochs: 2, learningRate: 0.1 } : {});
}
