/**
 * A character-level language model in the style of PyTorch's sequence tutorials: nn.Embedding,
 * a two-layer nn.LSTM (or nn.GRU) with batch_first, a linear head, CrossEntropyLoss over every
 * position, Adam, gradient clipping with nn.utils.clip_grad_norm_ and a StepLR schedule; then
 * greedy sampling under noGrad. Run from apps/mnist:
 *
 *   npx tsx ../../examples/char-rnn.ts [lstm|gru]
 */
import '@flint/backend-cpu';
import { manualSeed, nn, noGrad, optim, stack, tensor, tidy, type Tensor } from '@flint/core';
import { fixedInit, isMain } from './common.js';

export const TEXT =
  'It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of ' +
  'foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, ' +
  'it was the season of Darkness, it was the spring of hope, it was the winter of despair.';

export class CharModel extends nn.Module {
  embed: nn.Embedding;
  rnn: nn.LSTM | nn.GRU;
  head: nn.Linear;

  constructor(vocab: number, cell: 'lstm' | 'gru') {
    super();
    this.embed = new nn.Embedding(vocab, 16);
    this.rnn = new (cell === 'lstm' ? nn.LSTM : nn.GRU)(16, 32, { numLayers: 2, batchFirst: true });
    this.head = new nn.Linear(32, vocab);
  }

  override forward(x: Tensor): Tensor {
    const [out] = this.rnn(this.embed(x));
    return this.head(out);
  }
}

export interface CharRnnOptions {
  steps?: number;
  seqLen?: number;
  batchSize?: number;
  /** examples/reference.py's weights instead of the seeded init (for the comparison). */
  fixedWeights?: boolean;
  log?: (line: string) => void;
}

export function charRnn(cell: 'lstm' | 'gru', options: CharRnnOptions = {}) {
  const { steps = 200, seqLen = 24, batchSize = 4, log = console.log } = options;
  const chars = [...new Set(TEXT)].sort();
  const stoi = new Map(chars.map((c, i) => [c, i]));
  const data = tensor(
    [...TEXT].map((c) => stoi.get(c)!),
    { dtype: 'int64' },
  );
  const model = new CharModel(chars.length, cell);
  if (options.fixedWeights === true) fixedInit(model);
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const scheduler = new optim.StepLR(optimizer, { stepSize: Math.max(1, Math.floor(steps / 3)), gamma: 0.5 });
  const loss_fn = new nn.CrossEntropyLoss();
  const losses: number[] = [];
  const gradNorms: number[] = [];
  const lrs: number[] = [];
  for (let step = 0; step < steps; step++) {
    tidy(() => {
      // batchSize windows at fixed offsets that move with the step (no random sampling)
      const starts = Array.from({ length: batchSize }, (_, b) => (step * 7 + b * 53) % (TEXT.length - seqLen - 1));
      const x = stack(starts.map((s) => data.index([s, s + seqLen])));
      const y = stack(starts.map((s) => data.index([s + 1, s + seqLen + 1])));
      const logits = model(x);
      const loss = loss_fn(logits.reshape(-1, chars.length), y.reshape(-1));
      optimizer.zeroGrad();
      loss.backward();
      gradNorms.push(nn.utils.clipGradNorm_(model.parameters(), 1.0).item());
      optimizer.step();
      scheduler.step();
      losses.push(loss.item());
      lrs.push(scheduler.getLastLr()[0]!);
      if (step % 50 === 0 || step === steps - 1) log(`step ${step}: loss ${loss.item().toFixed(4)}`);
    });
  }
  // Greedy continuation of the text's first characters.
  model.eval();
  let text = TEXT.slice(0, 12);
  noGrad(() => {
    for (let i = 0; i < 40; i++) {
      text += tidy(() => {
        const logits = model(tensor([[...text].map((c) => stoi.get(c)!)], { dtype: 'int64' }));
        return chars[logits.index(0, -1).argmax().item()]!;
      });
    }
  });
  log(`sample: ${JSON.stringify(text)}`);
  return { losses, gradNorms, lrs, text };
}

if (isMain(import.meta.url)) {
  manualSeed(0);
  charRnn(process.argv[2] === 'gru' ? 'gru' : 'lstm');
}
