import '@flint/backend-cpu';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromArray, load, manualSeed, nn, noGrad, optim, randn, type Tensor, tidy } from '../index.js';
import { expectClose } from './test-helpers.js';

const VOCAB = 8;
const LENGTH = 5;
const D = 16;

/** The model of fixtures/generate_sort_transformer.py, with the same attribute (state_dict) names. */
class SortModel extends nn.Module {
  embed = new nn.Embedding(VOCAB, D);
  pos = new nn.Parameter(randn(LENGTH, D).mul(0.1));
  encoder = new nn.TransformerEncoder(
    new nn.TransformerEncoderLayer(D, 2, { dimFeedforward: 32, dropout: 0, batchFirst: true }),
    2,
  );
  head = new nn.Linear(D, VOCAB);

  override forward(tokens: Tensor): Tensor {
    return this.head(this.encoder(this.embed(tokens).add(this.pos))) as Tensor;
  }
}

/** A seeded batch of random token sequences and their sorted versions (int32 [n, LENGTH]). */
function batch(n: number, rand: () => number): [Tensor, Tensor] {
  const x = new Int32Array(n * LENGTH);
  const y = new Int32Array(n * LENGTH);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: LENGTH }, () => Math.floor(rand() * VOCAB));
    x.set(row, i * LENGTH);
    y.set(
      [...row].sort((a, b) => a - b),
      i * LENGTH,
    );
  }
  return [fromArray(x, [n, LENGTH], { dtype: 'int32' }), fromArray(y, [n, LENGTH], { dtype: 'int32' })];
}

/** Mulberry32: a seeded stream for the data (the model's init uses core's generator). */
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('nn.TransformerEncoder sorts short token sequences', () => {
  it('trains to >= 90% token accuracy on held-out sequences', () => {
    manualSeed(0);
    const rand = mulberry(1);
    const model = new SortModel();
    const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
    for (let step = 0; step < 200; step++) {
      tidy(() => {
        const [x, y] = batch(32, rand);
        const logits = model(x) as Tensor;
        const loss = nn.F.crossEntropy(logits.reshape([-1, VOCAB]), y.reshape([-1]));
        opt.zeroGrad();
        loss.backward();
        opt.step();
      });
    }
    model.eval();
    const [x, y] = batch(500, rand);
    const accuracy = noGrad(() => (model(x) as Tensor).argmax(-1).eq(y).float().mean().item());
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('loads a PyTorch state_dict for the same model strictly and gives its logits', () => {
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/sort-transformer.json', import.meta.url), 'utf8')) as {
      keys: string[];
      tokens: number[][];
      logits: number[];
    };
    const model = new SortModel();
    expect(Object.keys(model.stateDict())).toEqual(fixture.keys);
    const state = load(new URL('./fixtures/sort-transformer.safetensors', import.meta.url).pathname);
    const result = model.loadStateDict(state, true);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    model.eval();
    const tokens = fromArray(Int32Array.from(fixture.tokens.flat()), [fixture.tokens.length, LENGTH], {
      dtype: 'int32',
    });
    const logits = noGrad(() => model(tokens) as Tensor);
    expectClose(logits, fixture.logits, 1e-4, 1e-5, 'logits');
    // A missing key is named.
    const partial = { ...state };
    delete partial['encoder.layers.1.norm2.bias'];
    expect(() => new SortModel().loadStateDict(partial)).toThrow('"encoder.layers.1.norm2.bias"');
  });
});
