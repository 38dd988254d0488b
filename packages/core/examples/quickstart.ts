/**
 * The course's PyTorch quickstart (build the model, optimize it), ported line for line to Flint.
 *
 *   PyTorch                                   Flint
 *   class NeuralNetwork(nn.Module)            class NeuralNetwork extends nn.Module
 *   self.flatten = nn.Flatten()               flatten = new nn.Flatten()
 *   model(X), loss_fn(pred, y)                the same: modules are callable
 *   with torch.no_grad():                     noGrad(() => { ... })
 *   loss.item(), len(dataloader.dataset)      loss.item(), dataloader.dataset.length
 *
 * Flint addition: each training step runs inside tidy(), which frees the step's intermediate
 * tensors at once (JavaScript's GC does not see backend memory); the loaders dispose their batches.
 *
 * Run with a synthetic dataset (FashionMNIST lives in apps/mnist):  npx tsx examples/quickstart.ts
 */
import '@flint/backend-cpu';
import { data, nn, noGrad, optim, tidy, fromArray, Generator, manualSeed, type Tensor } from '@flint/core';

export class NeuralNetwork extends nn.Module {
  flatten = new nn.Flatten();
  linear_relu_stack = new nn.Sequential(
    new nn.Linear(28 * 28, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.Linear(512, 10),
  );

  override forward(x: Tensor): Tensor {
    x = this.flatten(x);
    const logits = this.linear_relu_stack(x);
    return logits;
  }
}

export const learning_rate = 1e-3;
export const batch_size = 64;
export const epochs = 5;

type Loader = data.DataLoader<[Tensor, Tensor]>;

export function train_loop(
  dataloader: Loader,
  model: nn.Module,
  loss_fn: nn.Module,
  optimizer: optim.Optimizer<optim.BaseOptions>,
  log = console.log,
): void {
  const size = dataloader.dataset.length;
  // Set the model to training mode - important for batch normalization and dropout layers
  model.train();
  let batch = 0;
  for (const [X, y] of dataloader) {
    tidy(() => {
      // Compute prediction and loss
      const pred = model(X) as Tensor;
      const loss = loss_fn(pred, y) as Tensor;

      // Backpropagation
      loss.backward();
      optimizer.step();
      optimizer.zeroGrad();

      if (batch % 100 === 0) {
        const current = batch * batch_size + X.shape[0]!;
        log(
          `loss: ${loss.item().toFixed(6).padStart(7)}  [${String(current).padStart(5)}/${String(size).padStart(5)}]`,
        );
      }
    });
    batch++;
  }
}

export function test_loop(
  dataloader: Loader,
  model: nn.Module,
  loss_fn: nn.Module,
  log = console.log,
): { accuracy: number; loss: number } {
  // Set the model to evaluation mode - important for batch normalization and dropout layers
  model.eval();
  const size = dataloader.dataset.length;
  const num_batches = dataloader.length;
  let test_loss = 0;
  let correct = 0;

  // Evaluating the model with noGrad ensures that no gradients are computed during test mode
  noGrad(() => {
    for (const [X, y] of dataloader) {
      tidy(() => {
        const pred = model(X) as Tensor;
        test_loss += (loss_fn(pred, y) as Tensor).item();
        correct += pred.argmax(1).eq(y).float().sum().item();
      });
    }
  });

  test_loss /= num_batches;
  correct /= size;
  log(`Test Error: \n Accuracy: ${(100 * correct).toFixed(1)}%, Avg loss: ${test_loss.toFixed(6).padStart(8)} \n`);
  return { accuracy: correct, loss: test_loss };
}

/**
 * A small learnable stand-in for FashionMNIST: `n` 28x28 images of `classes` stroke patterns
 * (horizontal bar, vertical bar, diagonal, frame, ...) at random offsets, plus noise; int32 labels.
 */
export function syntheticImages(n: number, seed: number, classes = 4): data.TensorDataset<[Tensor, Tensor]> {
  const g = new Generator(seed);
  const images = new Float32Array(n * 28 * 28);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const label = k % classes;
    labels[k] = label;
    const img = images.subarray(k * 784, (k + 1) * 784);
    for (let i = 0; i < 784; i++) img[i] = 0.2 * g.random();
    const dx = g.randint(-4, 5);
    const dy = g.randint(-4, 5);
    const set = (r: number, c: number): void => {
      const rr = r + dy;
      const cc = c + dx;
      if (rr >= 0 && rr < 28 && cc >= 0 && cc < 28) img[rr * 28 + cc] = 1;
    };
    for (let t = 6; t < 22; t++) {
      if (label === 0) for (let w = 12; w < 16; w++) set(w, t); // horizontal bar
      if (label === 1) for (let w = 12; w < 16; w++) set(t, w); // vertical bar
      if (label === 2) for (let w = 0; w < 3; w++) set(t, t + w - 1); // diagonal
      if (label === 3)
        for (const e of [6, 21]) {
          set(e, t);
          set(t, e);
        } // frame
      if (label === 4) for (let w = 0; w < 3; w++) set(t, 27 - t - w); // anti-diagonal
    }
  }
  return new data.TensorDataset(fromArray(images, [n, 1, 28, 28]), fromArray(labels, [n], { dtype: 'int32' }));
}

export function main(): void {
  manualSeed(0);
  const training_data = syntheticImages(2048, 1);
  const test_data = syntheticImages(512, 2);
  const train_dataloader = new data.DataLoader(training_data, {
    batchSize: batch_size,
    shuffle: true,
    autoDispose: true,
  }) as Loader;
  const test_dataloader = new data.DataLoader(test_data, { batchSize: batch_size, autoDispose: true }) as Loader;

  const model = new NeuralNetwork();
  console.log(model.toString());

  const loss_fn = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: learning_rate });

  for (let t = 0; t < epochs; t++) {
    console.log(`Epoch ${t + 1}\n-------------------------------`);
    train_loop(train_dataloader, model, loss_fn, optimizer);
    test_loop(test_dataloader, model, loss_fn);
  }
  console.log('Done!');
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
