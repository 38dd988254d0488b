// Writes a few real MNIST *test-set* digits (never part of the training data) as 28x28 grayscale
// PNGs, e.g. for trying `predict` on an image the model has not seen.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findIdxPair, loadIdxPair } from './idx.js';
import { writeGrayPng } from './png.js';
import { DEFAULT_MNIST_TEST_DIR } from './sources.js';

export interface WrittenSample {
  path: string;
  index: number;
  label: number;
}

/** Writes test-set digits `indices` to `outDir` as digit-<label>-idx<index>.png. */
export function writeSamplePngs(
  outDir: string,
  indices: readonly number[] = [0, 1, 2, 3, 4],
  testDir = process.env.FLINT_MNIST_TEST_DIR ?? DEFAULT_MNIST_TEST_DIR,
): WrittenSample[] {
  const pair = findIdxPair(testDir, 't10k');
  if (!pair) throw new Error(`${testDir}: no MNIST test set (t10k-images/t10k-labels IDX files) there`);
  const test = loadIdxPair(pair.images, pair.labels);
  mkdirSync(outDir, { recursive: true });
  return indices.map((index) => {
    if (!(Number.isInteger(index) && index >= 0 && index < test.count)) {
      throw new Error(`sample index ${index} is outside the test set (0-${test.count - 1})`);
    }
    const label = test.labels[index]!;
    const path = join(outDir, `digit-${label}-idx${index}.png`);
    writeGrayPng(path, test.images.subarray(index * 784, (index + 1) * 784));
    return { path, index, label };
  });
}
