import '@flint/backend-cpu';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, memory, nn, randn } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { exportModel, exportModelToFile } from './index.js';
import { LeNet, MlpSmall } from './test-models.js';

describe('exportModelToFile', () => {
  it('writes the bytes exportModel returns, replacing a previous file and leaving no temporary file', async () => {
    manualSeed(5);
    const dir = mkdtempSync(join(tmpdir(), 'flint-onnx-'));
    const path = join(dir, 'model.onnx');
    writeFileSync(path, 'old');
    const model = new MlpSmall();
    const x = randn([2, 1, 28, 28]);
    await exportModelToFile(model, x, path, { inputNames: ['input'] });
    expect(new Uint8Array(readFileSync(path))).toEqual(
      new Uint8Array(exportModel(model, x, { inputNames: ['input'] })),
    );
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  it('a failed write names the path and leaves nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flint-onnx-'));
    const path = join(dir, 'missing', 'model.onnx');
    await expect(exportModelToFile(new MlpSmall(), randn([1, 1, 28, 28]), path)).rejects.toThrow(
      `onnx export: could not write ${path}`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('exportModel and memory', () => {
  it('frees what the traced pass made', () => {
    manualSeed(6);
    const model = new LeNet();
    const x = randn([2, 1, 28, 28]);
    exportModel(model, x);
    const before = memory().handles;
    exportModel(model, x);
    expect(memory().handles).toBe(before);
  });

  it('does not free an input the model returns as it is', () => {
    const x = randn([2, 3]);
    const bytes = exportModel(new nn.Identity(), x);
    expect(bytes.length).toBeGreaterThan(0);
    expect(x.isDisposed).toBe(false);
    expect(x.shape).toEqual([2, 3]);
  });
});
