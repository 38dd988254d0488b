/**
 * export: write a saved model as ONNX (`model.onnx` next to `model.safetensors`), traced with a
 * dynamic batch axis so ONNX Runtime serves any batch size.
 */
import { dirname, join } from 'node:path';
import { zeros } from '@flint/core';
import { exportModelToFile } from '@flint/onnx';
import type { ExportOptions } from '../cli.js';
import { CliError } from '../errors.js';
import { ensureBackend } from '../backends.js';
import { loadModel } from '../persist.js';
import { oneBackend, outDir, textStream, writeJson, type Output } from './common.js';
import { MODEL_FILE } from './train.js';

export const ONNX_FILE = 'model.onnx';
/** The graph's input and output names (what an ONNX Runtime session is fed and asked for). */
export const ONNX_INPUT = 'image';
export const ONNX_OUTPUT = 'logits';

export async function exportCommand(opts: ExportOptions, io: Output): Promise<number> {
  if (opts.format !== 'onnx') throw new CliError(`export: unknown --format '${opts.format}' (valid: onnx)`, 2);
  const text = textStream(io, opts.json);
  const device = oneBackend('export', opts.backend);
  await ensureBackend(device);
  const file = opts.file ?? join(outDir(opts), MODEL_FILE);
  const { model, name } = await loadModel(file, device, opts.modelExplicit ? opts.model : undefined);
  const target = opts.output ?? join(dirname(file), ONNX_FILE);
  // One MNIST-shaped sample fixes everything but the batch axis, which stays symbolic.
  const sample = zeros([1, 1, 28, 28], { device });
  try {
    await exportModelToFile(model, sample, target, {
      opset: opts.opset,
      inputNames: [ONNX_INPUT],
      outputNames: [ONNX_OUTPUT],
      dynamicAxes: { [ONNX_INPUT]: { 0: 'batch' }, [ONNX_OUTPUT]: { 0: 'batch' } },
    });
  } finally {
    sample.dispose();
    for (const p of model.parameters()) p.dispose();
  }
  text.write(
    `model: ${name} from ${file}\nwrote ${target} (ONNX opset ${opts.opset}; input '${ONNX_INPUT}' [batch, 1, 28, 28], output '${ONNX_OUTPUT}' [batch, 10])\n`,
  );
  if (opts.json === true)
    writeJson(io, { model: name, file, output: target, format: 'onnx', opset: opts.opset, input: ONNX_INPUT });
  return 0;
}
