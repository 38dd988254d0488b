import '@flint/backend-cpu';
import { manualSeed, randint, randn } from '@flint/core';
import { describe, it } from 'vitest';
import { exportModel } from './index.js';
import { expectOrtMatches, LastSteps, LstmClassifier, Recurrent } from './test-models.js';

/** The batch and sequence axes of the input are dynamic. */
const dynamic = (inputAxes: number[]) => ({
  inputNames: ['input'],
  outputNames: ['logits'],
  dynamicAxes: { input: inputAxes, logits: [0] },
});

describe('exportModel: recurrent models at other sequence lengths', () => {
  it('the LSTM classifier matches within 1e-4 at other batch sizes and sequence lengths', async () => {
    manualSeed(101);
    const model = new LstmClassifier();
    const tokens = (n: number, t: number) => randint(0, 30, [n, t], { dtype: 'int32' });
    const bytes = exportModel(model, tokens(3, 9), dynamic([0, 1]));
    await expectOrtMatches(model, bytes, [tokens(3, 9), tokens(5, 4), tokens(2, 13)], 1e-4);
  });

  it('the bidirectional GRU into a ReLU RNN matches within 1e-4 at other lengths', async () => {
    manualSeed(102);
    const model = new Recurrent();
    const bytes = exportModel(model, randn([7, 2, 5]), dynamic([0, 1]));
    await expectOrtMatches(model, bytes, [randn([7, 2, 5]), randn([3, 4, 5]), randn([11, 1, 5])], 1e-4);
  });

  it('negative select, narrow and index positions count from the running length', async () => {
    manualSeed(103);
    const model = new LastSteps();
    const bytes = exportModel(model, randn([2, 6, 5]), dynamic([0, 1]));
    await expectOrtMatches(model, bytes, [randn([2, 6, 5]), randn([3, 9, 5]), randn([4, 3, 5])], 1e-4);
  });
});
