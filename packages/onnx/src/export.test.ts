import '@flint/backend-cpu';
import { manualSeed, type nn, randn, type Tensor } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { exportModel } from './index.js';
import { LeNet, Mlp, MlpSmall, maxAbsDiff, runOrt } from './test-models.js';

/** Flint's output and ONNX Runtime's on the exported model agree within `tol` for each input. */
async function expectSameOutputs(model: nn.Module, bytes: Uint8Array, inputs: Tensor[], tol: number): Promise<number> {
  model.eval();
  let worst = 0;
  for (const x of inputs) {
    const expected = (model(x) as Tensor).dataSync();
    const [got] = await runOrt(bytes, { input: x });
    expect(got!.dims).toEqual((model(x) as Tensor).shape);
    const d = maxAbsDiff(got!.data, expected as ArrayLike<number>);
    expect(d).toBeLessThanOrEqual(tol);
    worst = Math.max(worst, d);
  }
  return worst;
}

const dynamicBatch = { inputNames: ['input'], outputNames: ['logits'], dynamicAxes: { input: [0], logits: [0] } };

describe('exportModel: the mnist models in ONNX Runtime', () => {
  for (const [name, create] of [
    ['mlp-small', () => new MlpSmall()],
    ['mlp', () => new Mlp()],
    ['lenet', () => new LeNet()],
  ] as const) {
    it(`${name}: outputs match Flint's within 1e-5, at the traced batch size and another`, async () => {
      manualSeed(7);
      const model = create();
      const bytes = exportModel(model, randn([4, 1, 28, 28]), dynamicBatch);
      await expectSameOutputs(
        model,
        bytes,
        [randn([4, 1, 28, 28]), randn([9, 1, 28, 28]), randn([1, 1, 28, 28])],
        1e-5,
      );
    });
  }

  it('restores training mode and the Tensor methods after the trace', () => {
    const model = new MlpSmall();
    const reshape = (randn([1]) as unknown as { reshape: unknown }).reshape;
    model.train();
    exportModel(model, randn([2, 1, 28, 28]));
    expect(model.training).toBe(true);
    expect((randn([1]) as unknown as { reshape: unknown }).reshape).toBe(reshape);
  });
});
