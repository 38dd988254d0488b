/**
 * Training parity and the training leak test on WebGPU. @flint/conformance's runParity and
 * runTrainingLeakCheck read each step's loss with loss.item(), which cannot work here (WebGPU maps
 * buffers asynchronously), so this file runs the same check with `await loss.data()`: the same
 * models (createParityModel), data (SyntheticDigits), seed, optimizer and learning rates; per-step
 * losses within 1e-4 relative of @flint/backend-cpu; and 100 steps that grow nothing: core's
 * memory(), the backend's live buffers and bytes, and the GPUBuffers ever created (the pool must
 * serve every step after the first ones).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as api from '@flint/core';
import { cpuBackend } from '@flint/backend-cpu';
import { createParityModel, PARITY_DEFAULT_LR, SyntheticDigits, type ParityModelName } from '@flint/conformance';
import { webgpuBackend as gpu } from './index.js';

const BATCH = 64;

beforeAll(async () => {
  await gpu.init();
  if (!api.hasBackend('cpu')) api.registerBackend(cpuBackend);
  if (!api.hasBackend('webgpu')) api.registerBackend(gpu);
});

interface Trainer {
  step(batch: { x: Float32Array; y: Int32Array }): Promise<number>;
  dispose(): void;
}

function trainer(model: api.nn.Module, device: string, lr: number): Trainer {
  const opt = new api.optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const lossFn = new api.nn.CrossEntropyLoss();
  model.train();
  return {
    async step(batch) {
      const n = batch.y.length;
      const loss = api.tidy(() => {
        const x = api.fromArray(batch.x, [n, 1, 28, 28], { device });
        const y = api.fromArray(batch.y, [n], { dtype: 'int32', device });
        opt.zeroGrad();
        const l: api.Tensor = lossFn(model(x), y);
        l.backward();
        opt.step();
        return l;
      });
      const value = ((await loss.data()) as Float32Array)[0]!;
      loss.dispose();
      return value;
    },
    dispose() {
      opt.zeroGrad();
      opt.disposeState();
      for (const p of model.parameters()) p.dispose();
    },
  };
}

async function losses(t: Trainer, steps: number): Promise<number[]> {
  const data = new SyntheticDigits();
  const out: number[] = [];
  for (let s = 0; s < steps; s++) out.push(await t.step(data.nextBatch(BATCH)));
  return out;
}

describe('parity with backend-cpu', () => {
  const models: [ParityModelName, number][] = [
    ['mlp-small', 50],
    ['mlp', 50],
    ['lenet', 50],
  ];
  for (const [name, steps] of models) {
    const lr = PARITY_DEFAULT_LR[name];
    it(`${name}: ${steps} SGD steps (lr ${lr}, momentum 0.9, batch ${BATCH}) from manualSeed(0), losses within 1e-4 relative`, async () => {
      api.manualSeed(0);
      const ref = createParityModel(api, name, 'cpu');
      const test = createParityModel(api, name, 'cpu');
      test.loadStateDict(ref.stateDict());
      test.to('webgpu');
      const refTrainer = trainer(ref, 'cpu', lr);
      const testTrainer = trainer(test, 'webgpu', lr);
      try {
        const want = await losses(refTrainer, steps);
        const t0 = performance.now();
        const got = await losses(testTrainer, steps);
        const seconds = (performance.now() - t0) / 1000;
        const rel = got.map((g, i) => Math.abs(g - want[i]!) / Math.abs(want[i]!));
        const worst = Math.max(...rel);
        console.log(
          `parity[webgpu vs cpu] ${name}: ${steps} steps, max rel dev ${worst.toExponential(1)} ` +
            `(loss ${want[0]!.toFixed(4)} -> ${want[steps - 1]!.toFixed(4)}); webgpu ${seconds.toFixed(1)} s`,
        );
        expect(
          rel.every((r) => r <= 1e-4),
          `webgpu ${JSON.stringify(got)} vs cpu ${JSON.stringify(want)}`,
        ).toBe(true);
        expect(want[steps - 1]!).toBeLessThan(want[0]!);
      } finally {
        refTrainer.dispose();
        testTrainer.dispose();
      }
    });
  }
});

describe('training leak check', () => {
  it('mlp-small: 100 steps; memory(), backend buffers/bytes and GPUBuffers created equal after step 10 and 100', async () => {
    const snapshot = () => ({
      handles: api.memory().handles,
      bytes: api.memory().bytes,
      backendHandles: gpu.memory().handles,
      backendBytes: gpu.memory().bytes,
      buffersCreated: gpu.stats().buffersCreated,
    });
    api.manualSeed(0);
    const t = trainer(createParityModel(api, 'mlp-small', 'webgpu'), 'webgpu', PARITY_DEFAULT_LR['mlp-small']);
    const data = new SyntheticDigits();
    let at10: ReturnType<typeof snapshot> | undefined;
    const seen: number[] = [];
    for (let s = 1; s <= 100; s++) {
      seen.push(await t.step(data.nextBatch(BATCH)));
      if (s === 10) at10 = snapshot();
    }
    const atEnd = snapshot();
    t.dispose();
    expect(seen.every(Number.isFinite)).toBe(true);
    expect(atEnd).toEqual(at10);
  });
});
