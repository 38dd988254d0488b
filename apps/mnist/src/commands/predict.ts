/** predict: classify PNG images (any size, grayscale or colour) or test-set samples with a saved model. */
import { basename, join } from 'node:path';
import type { PredictOptions } from '../cli.js';
import { CliError } from '../errors.js';
import { ensureBackend } from '../backends.js';
import { loadDigitPng } from '../data/index.js';
import { loadModel } from '../persist.js';
import { predictProbabilities } from '../train.js';
import { classNames, loadData, outDir, textStream, writeJson, type Output } from './common.js';
import { MODEL_FILE } from './train.js';

export interface Prediction {
  input: string;
  label?: number;
  predicted: number;
  probabilities: number[];
}

export async function predict(opts: PredictOptions, io: Output): Promise<number> {
  const text = textStream(io, opts.json);
  const indices = opts.index ?? [];
  if (opts.images.length === 0 && indices.length === 0)
    throw new CliError('predict needs PNG files or --index N (a test-set index)', 2);
  const device = opts.backend === 'all' ? 'cpu' : opts.backend;
  await ensureBackend(device);
  const file = opts.file ?? join(outDir(opts), MODEL_FILE);
  // Decode every input before loading the model, so a bad PNG fails fast.
  const inputs: { input: string; pixels: Float32Array; label?: number }[] = opts.images.map((p) => ({
    input: p,
    pixels: loadDigitPng(p),
  }));
  if (indices.length > 0) {
    const ds = await loadData({ ...opts, limit: 1 });
    for (const i of indices) {
      if (i >= ds.test.count)
        throw new CliError(`--index ${i} is out of range: the test set has ${ds.test.count} images`, 2);
      inputs.push({
        input: `test[${i}]`,
        pixels: ds.test.images.slice(i * 784, (i + 1) * 784),
        label: ds.test.labels[i]!,
      });
    }
  }
  const { model, name } = loadModel(file, device, opts.modelExplicit ? opts.model : undefined);
  const all = new Float32Array(inputs.length * 784);
  inputs.forEach((x, i) => {
    all.set(x.pixels, i * 784);
  });
  const probs = await predictProbabilities(model, all, device);
  const names = classNames(opts.dataset);
  const results: Prediction[] = inputs.map((x, i) => {
    const p = probs[i]!;
    const predicted = p.indexOf(Math.max(...p));
    return { input: x.input, ...(x.label === undefined ? {} : { label: x.label }), predicted, probabilities: p };
  });
  text.write(`model: ${name} from ${file}\n`);
  for (const r of results) {
    const cls = (k: number): string => (names === undefined ? String(k) : `${k} (${names[k]})`);
    text.write(
      `\n${basename(r.input)}: ${cls(r.predicted)}${r.label === undefined ? '' : ` (label ${cls(r.label)}${r.label === r.predicted ? ', correct' : ', WRONG'})`}\n`,
    );
    r.probabilities.forEach((p, k) => {
      const bar = '#'.repeat(Math.round(p * 40));
      text.write(`  ${String(k).padStart(2)} ${(p * 100).toFixed(2).padStart(6)}% ${bar}\n`);
    });
  }
  if (opts.json === true) writeJson(io, { model: name, file, predictions: results });
  return 0;
}
