/**
 * Models for the tests: the three mnist models as apps/mnist/src/models.ts writes them (this
 * package cannot depend on @flint/mnist, which will depend on it for `mnist export`), and models
 * covering the other exported modules and traced methods.
 */
import { nn, type Tensor } from '@flint/core';
import * as ort from 'onnxruntime-node';

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

/** Run `bytes` in ONNX Runtime (CPU) on float32 or int32 inputs; the first output's values and dims. */
export async function runOrt(
  bytes: Uint8Array,
  feeds: Record<string, Tensor>,
): Promise<{ data: Float32Array; dims: readonly number[] }[]> {
  const session = await ort.InferenceSession.create(bytes);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    const values = await t.data();
    inputs[name] =
      t.dtype === 'int32'
        ? new ort.Tensor('int32', Int32Array.from(values as ArrayLike<number>), [...t.shape])
        : new ort.Tensor('float32', Float32Array.from(values as ArrayLike<number>), [...t.shape]);
  }
  const out = await session.run(inputs);
  await session.release();
  return session.outputNames.map((n) => ({ data: out[n]!.data as Float32Array, dims: out[n]!.dims }));
}

/** The largest |a - b| over two equal-length arrays (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
