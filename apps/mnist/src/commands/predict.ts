/** predict: classify PNG images (any size, grayscale or colour) or test-set samples with a saved model. */
import { basename, join } from 'node:path';
import type { PredictOptions } from '../cli.js';
import { CliError } from '../errors.js';
import { ensureBackend } from '../backends.js';
import { readDigitPng } from '../data/index.js';
import { loadModel } from '../persist.js';
import { predictProbabilities } from '../train.js';
import {
  classNames,
  loadData,
  modelDataset,
  oneBackend,
  outDir,
  textStream,
  writeJson,
  type Output,
} from './common.js';
import { MODEL_FILE } from './train.js';

export interface Prediction {
  input: string;
  label?: number;
  /** null when the image is blank: there is nothing to classify. */
  predicted: number | null;
  probabilities: number[] | null;
  /** Why this result should not be trusted (a blank, low-contrast or nearly empty image). */
  warnings: string[];
}

export async function predict(opts: PredictOptions, io: Output): Promise<number> {
  const text = textStream(io, opts.json);
  const indices = opts.index ?? [];
  if (opts.images.length === 0 && indices.length === 0)
    throw new CliError('predict needs PNG files or --index N (a test-set index)', 2);
  const device = oneBackend('predict', opts.backend);
  await ensureBackend(device);
  const file = opts.file ?? join(outDir(opts), MODEL_FILE);
  // Decode every input before loading the model, so a bad PNG fails fast.
  const inputs: { input: string; pixels: Float32Array; label?: number; blank: boolean; warnings: string[] }[] =
    opts.images.map((p) => {
      const d = readDigitPng(p);
      return { input: p, pixels: d.pixels, blank: d.blank, warnings: d.warnings };
    });
  const loaded = await loadModel(file, device, opts.modelExplicit ? opts.model : undefined);
  const { model, name } = loaded;
  const dataset = modelDataset(opts, loaded.dataset, file, io);
  if (indices.length > 0) {
    const ds = await loadData({ ...opts, dataset, limit: 1 }, io);
    for (const i of indices) {
      if (i >= ds.test.count)
        throw new CliError(`--index ${i} is out of range: the test set has ${ds.test.count} images`, 2);
      inputs.push({
        input: `test[${i}]`,
        pixels: ds.test.images.slice(i * 784, (i + 1) * 784),
        label: ds.test.labels[i]!,
        blank: false,
        warnings: [],
      });
    }
  }
  const all = new Float32Array(inputs.length * 784);
  inputs.forEach((x, i) => {
    all.set(x.pixels, i * 784);
  });
  const probs = await predictProbabilities(model, all, device);
  for (const p of model.parameters()) p.dispose();
  const names = classNames(dataset);
  const results: Prediction[] = inputs.map((x, i) => {
    const p = x.blank ? null : probs[i]!;
    return {
      input: x.input,
      ...(x.label === undefined ? {} : { label: x.label }),
      predicted: p === null ? null : p.indexOf(Math.max(...p)),
      probabilities: p,
      warnings: x.warnings,
    };
  });
  text.write(`model: ${name} from ${file}\n`);
  for (const r of results) {
    for (const w of r.warnings) io.err.write(`warning: ${r.input}: ${w}\n`);
    const cls = (k: number): string => (names === undefined ? String(k) : `${k} (${names[k]})`);
    if (r.predicted === null || r.probabilities === null) {
      text.write(`\n${basename(r.input)}: no prediction (blank image)\n`);
      continue;
    }
    const verdict =
      r.label === undefined ? '' : ` (label ${cls(r.label)}${r.label === r.predicted ? ', correct' : ', WRONG'})`;
    const doubt = r.warnings.length > 0 ? ' (see the warning: do not trust this)' : '';
    text.write(`\n${basename(r.input)}: ${cls(r.predicted)}${verdict}${doubt}\n`);
    r.probabilities.forEach((p, k) => {
      const bar = '#'.repeat(Math.round(p * 40));
      text.write(`  ${String(k).padStart(2)} ${(p * 100).toFixed(2).padStart(6)}% ${bar}\n`);
    });
  }
  if (opts.json === true) writeJson(io, { model: name, file, dataset, predictions: results });
  return 0;
}
