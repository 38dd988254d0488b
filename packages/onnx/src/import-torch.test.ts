import '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { fromArray, type Tensor } from '@flint/core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { importModel } from './index.js';
import { maxAbsDiff } from './test-models.js';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);

interface Recorded {
  runs: { input: number[]; shape: number[]; logits: number[] }[];
}

/** The fixtures' inputs (fixtures/seq_torch.py, conv_torch.py): tokens[i] = (7 i + 3) % 20, x[i] = sin(0.1 i). */
function tokens(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromArray(
    Int32Array.from({ length: n }, (_, i) => (7 * i + 3) % 20),
    shape,
    { dtype: 'int32' },
  );
}
function sinInput(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromArray(
    Float32Array.from({ length: n }, (_, i) => Math.sin(0.1 * i)),
    shape,
  );
}

/** onnxruntime-node's output; torch's token inputs are int64, Flint's int32. */
async function ortRun(bytes: Uint8Array, name: string, x: Tensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const values = x.dataSync() as ArrayLike<number>;
  const feed =
    x.dtype === 'int32'
      ? new ort.Tensor('int64', BigInt64Array.from(Array.from(values, (v) => BigInt(v))), [...x.shape])
      : new ort.Tensor('float32', Float32Array.from(values), [...x.shape]);
  const out = await session.run({ [name]: feed });
  await session.release();
  return out[session.outputNames[0]!]!.data as Float32Array;
}

for (const [file, inputName, make] of [
  ['lstm', 'tokens', tokens],
  ['encoder', 'input', sinInput],
  ['convs', 'input', sinInput],
  ['gru', 'input', sinInput],
] as const) {
  describe(`importModel: ${file}.onnx from torch.onnx.export`, () => {
    const bytes = new Uint8Array(readFileSync(fixture(`${file}.onnx`)));
    const recorded = JSON.parse(readFileSync(fixture(`${file}-outputs.json`), 'utf8')) as Recorded;
    for (const run of recorded.runs)
      it(`matches PyTorch's recorded outputs and onnxruntime-node within 1e-4 at input [${run.input}]`, async () => {
        const model = importModel(bytes);
        const x = make(run.input);
        const y = model(x) as Tensor;
        expect(y.shape).toEqual(run.shape);
        const got = y.dataSync();
        const dTorch = maxAbsDiff(got, run.logits);
        const dOrt = maxAbsDiff(got, await ortRun(bytes, inputName, x));
        if (process.env.ONNX_REPORT_DIFFS === '1')
          console.log(`${file} [${run.input}]: torch ${dTorch.toExponential(2)}, ort ${dOrt.toExponential(2)}`);
        expect(dTorch).toBeLessThanOrEqual(1e-4);
        expect(dOrt).toBeLessThanOrEqual(1e-4);
      });
  });
}
