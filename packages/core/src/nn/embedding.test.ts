/**
 * nn.Embedding with paddingIdx against PyTorch (the F.embedding cases of conformance's
 * ops-fidelity.json): the padding row is returned as stored in the forward pass; only its gradient
 * is zero.
 */
import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { loadOpFixtures } from '@flint/conformance';
import { nn, noGrad, tensor, type Tensor } from '../index.js';
import { decode, expectClose } from './test-helpers.js';

const cases = loadOpFixtures().filter((c) => c.op === 'F.embedding');

describe('nn.Embedding against PyTorch (padding row returned, its gradient blocked)', () => {
  it('has padded and unpadded cases', () => {
    expect(cases.some((c) => c.args.padding_idx !== null)).toBe(true);
    expect(cases.some((c) => c.args.padding_idx === null)).toBe(true);
  });
  for (const c of cases) {
    it(c.name, () => {
      const indices = decode(c.inputs[0]!);
      const weight = decode(c.inputs[1]!);
      const emb = nn.Embedding.fromPretrained(weight, { freeze: false, paddingIdx: c.args.padding_idx });
      const out = emb.forward(indices);
      expectClose(out, c.outputs[0]!, 1e-6, 1e-7, 'output');
      out.mul(decode(c.cotangents[0]!)).sum().backward();
      expectClose(emb.weight.grad!, c.grads[1]!, 1e-6, 1e-7, 'weight grad');
      // The functional form agrees on the same weight.
      const w = decode(c.inputs[1]!, true);
      const f = nn.functional.embedding(indices, w, c.args.padding_idx);
      expectClose(f, c.outputs[0]!, 1e-6, 1e-7, 'F.embedding output');
      f.mul(decode(c.cotangents[0]!)).sum().backward();
      expectClose(w.grad!, c.grads[1]!, 1e-6, 1e-7, 'F.embedding weight grad');
    });
  }

  it('a trained (non-zero) padding row is still returned', () => {
    const emb = new nn.Embedding(4, 2, { paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(3);
    expect((emb.weight.tolist() as number[][])[3]).toEqual([0, 0]);
    noGrad(() => emb.weight.fill_(7));
    const out = emb.forward(tensor([3, 0], { dtype: 'int32' })) as Tensor;
    expect((out.tolist() as number[][])[0]).toEqual([7, 7]);
    expect(emb.toString()).toBe('Embedding(4, 2, padding_idx=3)');
  });

  it('paddingIdx outside [-num, num) is refused, as PyTorch', () => {
    expect(() => new nn.Embedding(4, 2, { paddingIdx: 4 })).toThrow(
      'Padding_idx must be within num_embeddings (got 4 for 4 embeddings)',
    );
    expect(() => new nn.Embedding(4, 2, { paddingIdx: -5 })).toThrow(/Padding_idx must be within num_embeddings/);
    const w = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const i = tensor([0], { dtype: 'int32' });
    expect(() => nn.functional.embedding(i, w, 3)).toThrow(
      'Padding_idx must be within num_embeddings (got 3 for 3 embeddings)',
    );
    expect(() => nn.functional.embedding(i, w, -4)).toThrow(/Padding_idx must be within num_embeddings/);
  });
});
