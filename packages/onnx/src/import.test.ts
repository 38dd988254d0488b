import '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { fromArray, manualSeed, randn } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { exportModel, importModel } from './index.js';
import { decodeModel, encodeModel } from './proto/index.js';
import { LeNet, maxAbsDiff, runOrt } from './test-models.js';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);

/** The fixture's input: x[i] = sin(0.1 i) in float32 (fixtures/lenet_torch.py). */
function sinInput(shape: number[]) {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromArray(
    Float32Array.from({ length: n }, (_, i) => Math.sin(0.1 * i)),
    shape,
  );
}

describe('importModel: LeNet-5 exported by torch.onnx.export', () => {
  const bytes = new Uint8Array(readFileSync(fixture('lenet.onnx')));
  const recorded = JSON.parse(readFileSync(fixture('lenet-outputs.json'), 'utf8')) as {
    shape: number[];
    logits: number[];
  };

  it("matches PyTorch's recorded logits within 1e-5", () => {
    const model = importModel(bytes);
    const y = model(sinInput([3, 1, 28, 28]));
    expect(y.shape).toEqual(recorded.shape);
    expect(maxAbsDiff(y.dataSync(), recorded.logits)).toBeLessThanOrEqual(1e-5);
  });

  it('matches onnxruntime-node at another batch size', async () => {
    manualSeed(3);
    const model = importModel(bytes);
    const x = randn([5, 1, 28, 28]);
    const [ort] = await runOrt(bytes, { input: x });
    expect(maxAbsDiff(model(x).dataSync(), ort!.data)).toBeLessThanOrEqual(1e-5);
  });

  it('keeps the initializers as buffers under their names (dots as underscores)', () => {
    const model = importModel(bytes);
    const names = model.namedBuffers().map(([n]) => n);
    expect(names).toContain('features_0_weight');
    expect(names).toContain('classifier_5_bias');
  });
});

describe('importModel: a small net as PyTorch code writes it (x.view(x.size(0), -1), GELU, LayerNorm)', () => {
  const bytes = new Uint8Array(readFileSync(fixture('small.onnx')));
  const recorded = JSON.parse(readFileSync(fixture('small-outputs.json'), 'utf8')) as {
    shape: number[];
    logits: number[];
  };

  it("matches PyTorch's recorded outputs within 1e-5, and onnxruntime-node at another batch size", async () => {
    const model = importModel(bytes);
    const y = model(sinInput([3, 1, 8, 8]));
    expect(y.shape).toEqual(recorded.shape);
    expect(maxAbsDiff(y.dataSync(), recorded.logits)).toBeLessThanOrEqual(1e-5);
    manualSeed(4);
    const x = randn([7, 1, 8, 8]);
    const [ort] = await runOrt(bytes, { input: x });
    expect(maxAbsDiff(model(x).dataSync(), ort!.data)).toBeLessThanOrEqual(1e-5);
  });
});

describe('importModel: round trip of an exported model', () => {
  it('an exported LeNet imports and equals the Flint model', () => {
    manualSeed(11);
    const model = new LeNet().eval();
    const bytes = exportModel(model, randn([2, 1, 28, 28]), { inputNames: ['input'], dynamicAxes: { input: [0] } });
    const x = randn([6, 1, 28, 28]);
    expect(maxAbsDiff(importModel(bytes)(x).dataSync(), model(x).dataSync())).toBeLessThanOrEqual(1e-6);
  });

  it('names the node and op type it cannot import, and rejects bytes that are not a model', () => {
    const model = decodeModel(exportModel(new LeNet(), randn([1, 1, 28, 28])));
    model.graph!.node[1]!.opType = 'Col2Im';
    expect(() => importModel(encodeModel(model))).toThrow(
      /node 'Relu_1' has op type Col2Im, which Flint does not import/,
    );
    expect(() => importModel(new Uint8Array([1, 2, 3]))).toThrow(/not an ONNX model/);
  });
});
