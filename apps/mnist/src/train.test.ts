import { describe, expect, it } from 'vitest';
import { memory, randn, noGrad, type Tensor } from '@flint/core';
import { ensureBackend } from './backends.js';
import { loadMnist } from './data/index.js';
import { MODEL_NAMES, countParameters, createModel } from './models.js';
import { Trainer, evaluate, limitSet } from './train.js';

await ensureBackend('cpu');

describe('models', () => {
  it('have the documented sizes and map [N, 1, 28, 28] to [N, 10]', () => {
    expect(Object.fromEntries(MODEL_NAMES.map((m) => [m, countParameters(createModel(m))]))).toEqual({
      'mlp-small': 13002,
      mlp: 669706,
      lenet: 61706,
    });
    for (const name of MODEL_NAMES) {
      const y = noGrad(() => createModel(name)(randn(3, 1, 28, 28)) as Tensor);
      expect(y.shape).toEqual([3, 10]);
    }
  });
});

describe('Trainer', () => {
  it('keeps memory flat across steps (tidy per step)', async () => {
    const ds = await loadMnist();
    const train = limitSet(ds.train, 640);
    for (const model of ['mlp-small', 'lenet']) {
      const t = Trainer.create({
        model,
        device: 'cpu',
        epochs: 1,
        batchSize: 32,
        lr: 0.05,
        optimizer: 'sgd',
        momentum: 0.9,
        seed: 0,
      });
      const order = t.epochOrder(train.count);
      const at: number[] = [];
      for (let s = 0; s < 8; s++) {
        await t.trainBatch(train, order.subarray(s * 32, (s + 1) * 32));
        at.push(memory().handles);
      }
      // After the first step has created the momentum buffers nothing more stays alive.
      expect(new Set(at.slice(1)).size, `${model}: ${at.join(',')}`).toBe(1);
      t.dispose();
    }
  });

  it('the same seed gives the same weights and batch order', async () => {
    const config = {
      model: 'mlp-small',
      device: 'cpu',
      epochs: 1,
      batchSize: 16,
      lr: 0.5,
      optimizer: 'sgd' as const,
      momentum: 0.9,
      seed: 7,
    };
    const a = Trainer.create(config);
    const b = Trainer.create(config);
    expect(Array.from(a.epochOrder(100))).toEqual(Array.from(b.epochOrder(100)));
    const wa = await a.model.parameters()[0]!.data();
    const wb = await b.model.parameters()[0]!.data();
    expect(Array.from(wa)).toEqual(Array.from(wb));
    const ds = await loadMnist();
    const r = await evaluate(a.model, limitSet(ds.test, 50), 'cpu');
    expect(r.predictions).toHaveLength(50);
    a.dispose();
    b.dispose();
  });
});
