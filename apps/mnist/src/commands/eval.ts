/** eval: load a saved model and report test accuracy and the confusion matrix. */
import { join } from 'node:path';
import type { EvalOptions } from '../cli.js';
import { engineOf, ensureBackend } from '../backends.js';
import { loadModel } from '../persist.js';
import { confusionMatrix, confusionTable, formatPercent } from '../report.js';
import { evaluate } from '../train.js';
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

export async function evalCommand(opts: EvalOptions, io: Output): Promise<number> {
  const text = textStream(io, opts.json);
  const device = oneBackend('eval', opts.backend);
  await ensureBackend(device);
  const file = opts.file ?? join(outDir(opts), MODEL_FILE);
  const loaded = await loadModel(file, device, opts.modelExplicit ? opts.model : undefined);
  const { model, name } = loaded;
  const dataset = modelDataset(opts, loaded.dataset, file, io);
  const ds = await loadData({ ...opts, dataset, limit: 1 }, io);
  const r = await evaluate(model, ds.test, device);
  for (const p of model.parameters()) p.dispose();
  const cm = confusionMatrix(ds.test.labels, r.predictions);
  text.write(
    `model: ${name} from ${file}\nbackend: ${device} (engine: ${engineOf(device)})\ndata: ${ds.description}\n\n`,
  );
  text.write(`confusion matrix (rows = actual, columns = predicted):\n${confusionTable(cm, classNames(ds.name))}\n\n`);
  text.write(
    `test accuracy: ${formatPercent(r.accuracy)} on ${ds.test.count} test images (mean loss ${r.loss.toFixed(4)})\n`,
  );
  if (opts.json === true)
    writeJson(io, {
      model: name,
      file,
      backend: device,
      engine: engineOf(device),
      dataset: ds.name,
      trainedOn: loaded.dataset ?? null,
      testAccuracy: r.accuracy,
      testLoss: r.loss,
      testSamples: ds.test.count,
      confusion: cm,
    });
  return 0;
}
