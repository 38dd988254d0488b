/**
 * What the examples share: Fashion-MNIST from its IDX files (torchvision's datasets.FashionMNIST
 * with ToTensor()), and the fixed initial weights that let examples/reference.py start PyTorch from
 * the same numbers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { data, fromArray, noGrad, type nn, type Tensor } from '@flint/core';

export const FASHION_MNIST_DIR = process.env.FLINT_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

/** An IDX file (gzipped): its dims and its bytes. */
function readIdx(path: string): { shape: number[]; bytes: Uint8Array } {
  const raw = gunzipSync(readFileSync(path));
  const dims = raw[3]!;
  const shape: number[] = [];
  for (let d = 0; d < dims; d++) shape.push(raw.readUInt32BE(4 + 4 * d));
  return { shape, bytes: raw.subarray(4 + 4 * dims) };
}

/**
 * The first `count` images of a Fashion-MNIST split as [count, 1, 28, 28] floats in [0, 1] (what
 * ToTensor() makes of the bytes) and int32 labels: `datasets.FashionMNIST(root, train, transform=ToTensor())`.
 */
export function fashionMnist(split: 'train' | 'test', count?: number): data.TensorDataset<[Tensor, Tensor]> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(join(FASHION_MNIST_DIR, `${prefix}-images-idx3-ubyte.gz`));
  const labels = readIdx(join(FASHION_MNIST_DIR, `${prefix}-labels-idx1-ubyte.gz`));
  const n = Math.min(count ?? images.shape[0]!, images.shape[0]!);
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.bytes[i]! / 255;
  return new data.TensorDataset(
    fromArray(pixels, [n, 1, 28, 28]),
    fromArray(Int32Array.from(labels.bytes.subarray(0, n)), [n], { dtype: 'int32' }),
  );
}

/** sin(0.37 i + k) scaled by 1/sqrt(last dim) (0.1 for 1-D tensors): examples/reference.py's fixed_values. */
export function fixedValues(shape: readonly number[], k: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const scale = shape.length >= 2 ? 1 / Math.sqrt(shape[shape.length - 1]!) : 0.1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(0.37 * i + k) * scale;
  return out;
}

/** Every parameter, in stateDict order (k = its position), from fixedValues: reference.py's fixed_init. */
export function fixedInit(model: nn.Module): void {
  noGrad(() => {
    model.parameters().forEach((p, k) => {
      const values = fromArray(fixedValues(p.shape, k), p.shape);
      p.copy_(values);
      values.dispose();
    });
  });
}

/** True when this file is the script node or tsx was started with. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && url === new URL(`file://${process.argv[1]}`).href;
}
