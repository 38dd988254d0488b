/**
 * Reference throughput: the two MLPs trained directly in tfjs-layers (no Flint), so Flint's tfjs
 * backend can later be compared with the engine it runs on. Run with tsx:
 *
 *   pnpm --filter @flint/backend-tfjs bench            # Fashion-MNIST, wasm and cpu
 *   tsx bench/tfjs-layers-reference.ts --synthetic     # random data instead of the dataset
 *   options: --engines wasm,cpu  --models small,large  --seconds 8  --data DIR
 *
 * Models: 784-16-16-10 sigmoid (lr 0.5) and 784-512-512-10 ReLU (lr 0.05), softmax cross-entropy,
 * SGD with momentum 0.9, batch 64, Glorot-uniform init (tfjs-layers' default). Each (engine, model)
 * runs 3 warm-up steps, then trains batch after batch until --seconds have passed; one JSON line per
 * run reports samples/s. tfjs's engine is switched in-process between runs (each model is built
 * after the switch, so all its tensors live on that engine).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';

const BATCH = 64;
const DEFAULT_DATA = '/usr/share/datasets/fashion-mnist';

interface ModelSpec {
  readonly id: string;
  readonly hidden: readonly number[];
  readonly activation: 'sigmoid' | 'relu';
  readonly lr: number;
}
const MODELS: Record<string, ModelSpec> = {
  small: { id: 'mlp-784-16-16-10-sigmoid', hidden: [16, 16], activation: 'sigmoid', lr: 0.5 },
  large: { id: 'mlp-784-512-512-10-relu', hidden: [512, 512], activation: 'relu', lr: 0.05 },
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const synthetic = process.argv.includes('--synthetic');
const engines = (arg('engines') ?? 'wasm,cpu').split(',');
const models = (arg('models') ?? 'small,large').split(',').map((m) => {
  const spec = MODELS[m];
  if (spec === undefined) throw new Error(`unknown model '${m}': use ${Object.keys(MODELS).join(', ')}`);
  return spec;
});
const seconds = Number(arg('seconds') ?? '8');

/** gzip IDX: images have a 16-byte header (magic, count, rows, cols), labels 8 (magic, count). */
function loadFashionMnist(dir: string): { images: Float32Array; labels: Int32Array; count: number } {
  const img = gunzipSync(readFileSync(`${dir}/train-images-idx3-ubyte.gz`));
  const lab = gunzipSync(readFileSync(`${dir}/train-labels-idx1-ubyte.gz`));
  if (img.readUInt32BE(0) !== 2051 || lab.readUInt32BE(0) !== 2049)
    throw new Error(`${dir}: not IDX image/label files`);
  const count = img.readUInt32BE(4);
  const pixels = img.readUInt32BE(8) * img.readUInt32BE(12);
  if (pixels !== 784 || lab.readUInt32BE(4) !== count) throw new Error(`${dir}: unexpected IDX shapes`);
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = img[16 + i]! / 255;
  const labels = Int32Array.from(lab.subarray(8, 8 + count));
  return { images, labels, count };
}

function syntheticData(count: number): { images: Float32Array; labels: Int32Array; count: number } {
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const images = Float32Array.from({ length: count * 784 }, rand);
  const labels = Int32Array.from({ length: count }, () => Math.floor(rand() * 10));
  return { images, labels, count };
}

function buildModel(spec: ModelSpec): tfl.Sequential {
  const model = tfl.sequential();
  spec.hidden.forEach((units, i) => {
    model.add(tfl.layers.dense({ units, activation: spec.activation, ...(i === 0 ? { inputShape: [784] } : {}) }));
  });
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.momentum(spec.lr, 0.9), loss: 'categoricalCrossentropy' });
  return model;
}

async function useEngine(engine: string): Promise<void> {
  if (engine === 'wasm') {
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    setWasmPaths(`${pkg.slice(0, -'package.json'.length)}dist/`);
  }
  if (!(await tf.setBackend(engine))) throw new Error(`tfjs engine '${engine}' did not initialise`);
  await tf.ready();
}

async function main(): Promise<void> {
  const data = synthetic ? syntheticData(8192) : loadFashionMnist(arg('data') ?? DEFAULT_DATA);
  const batches = Math.floor(data.count / BATCH);
  for (const engine of engines) {
    await useEngine(engine);
    for (const spec of models) {
      const model = buildModel(spec);
      const batch = (b: number): [tf.Tensor, tf.Tensor] => {
        const i = b % batches;
        const x = tf.tensor2d(data.images.subarray(i * BATCH * 784, (i + 1) * BATCH * 784), [BATCH, 784]);
        const y = tf.tidy(() =>
          tf.cast(tf.oneHot(tf.tensor1d(data.labels.subarray(i * BATCH, (i + 1) * BATCH), 'int32'), 10), 'float32'),
        );
        return [x, y];
      };
      const step = async (b: number): Promise<number> => {
        const [x, y] = batch(b);
        const loss = (await model.trainOnBatch(x, y)) as number;
        x.dispose();
        y.dispose();
        return loss;
      };
      for (let b = 0; b < 3; b++) await step(b);
      const first = await step(3);
      let steps = 1;
      let last = first;
      const t0 = performance.now();
      while (performance.now() - t0 < seconds * 1000) last = await step(3 + steps++);
      const elapsed = (performance.now() - t0) / 1000;
      model.optimizer.dispose();
      model.dispose();
      const tensorsLive = tf.memory().numTensors;
      console.log(
        JSON.stringify({
          bench: 'tfjs-layers-reference',
          engine: tf.getBackend(),
          model: spec.id,
          data: synthetic ? 'synthetic' : 'fashion-mnist',
          batch: BATCH,
          optimizer: `sgd lr ${spec.lr} momentum 0.9`,
          steps: steps - 1,
          seconds: Number(elapsed.toFixed(2)),
          samplesPerSec: Math.round(((steps - 1) * BATCH) / elapsed),
          loss: { first: Number(first.toFixed(4)), last: Number(last.toFixed(4)) },
          tensorsLive,
        }),
      );
    }
  }
}

await main();
