/**
 * export: a saved LeNet-5 written as ONNX next to its model file; the file, imported back with
 * @flint/onnx, gives the saved model's logits on a batch size other than the traced one. (The ONNX
 * Runtime comparisons of the three models live in @flint/onnx's tests.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@flint/backend-cpu';
import { manualSeed, noGrad, randn, type Tensor } from '@flint/core';
import { importModel } from '@flint/onnx';
import { runCli } from '../cli.js';
import { createModel } from '../models.js';
import { loadModel, saveModel } from '../persist.js';
import { captureIo } from '../test-io.js';

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flint-mnist-export-'));
  manualSeed(3);
  await saveModel(createModel('lenet'), 'lenet', join(root, 'model.safetensors'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('export', () => {
  it('writes model.onnx next to the model file; imported back it gives the same logits at batch 5', async () => {
    const r = await cli('export', '--model', 'lenet', '--format', 'onnx', '--backend', 'cpu', '--out', root, '--json');
    expect(r.code, r.err).toBe(0);
    const file = join(root, 'model.onnx');
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(r.out)).toMatchObject({ model: 'lenet', format: 'onnx', output: file, opset: 17 });
    const { model } = await loadModel(join(root, 'model.safetensors'), 'cpu');
    model.eval();
    const imported = importModel(readFileSync(file));
    const x = randn([5, 1, 28, 28]);
    const [want, got] = noGrad(() => [model(x) as Tensor, imported.forward(x) as Tensor]);
    expect(got.shape).toEqual([5, 10]);
    const a = want.dataSync();
    const b = got.dataSync();
    const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
    expect(worst).toBeLessThan(1e-5);
  });

  it('an unknown format is refused with the valid ones', async () => {
    const r = await cli('export', '--format', 'tflite', '--out', root);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/tflite.*onnx/s);
  });
});
