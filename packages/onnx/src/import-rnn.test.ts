import '@flint/backend-cpu';
import { fromArray, manualSeed, randn, type Tensor } from '@flint/core';
import { describe, expect, it } from 'vitest';
import { importModel } from './index.js';
import { expectMatchesOrt, type FloatInit, type NodeAttr, oneNodeModel } from './test-graphs.js';
import { maxAbsDiff, runOrt } from './test-models.js';

interface RnnCase {
  name: string;
  op: 'RNN' | 'LSTM' | 'GRU';
  direction?: 'forward' | 'reverse' | 'bidirectional';
  layout?: 0 | 1;
  lens?: number[];
  initial?: boolean;
  peepholes?: boolean;
  attrs?: Record<string, NodeAttr>;
}

const L = 5;
const N = 3;
const I = 4;
const H = 6;

/** One recurrent node in both runtimes: Y, Y_h (and Y_c) compared within 1e-5. */
async function check(c: RnnCase): Promise<number> {
  const dirs = c.direction === 'bidirectional' ? 2 : 1;
  const gates = c.op === 'LSTM' ? 4 : c.op === 'GRU' ? 3 : 1;
  const layout = c.layout ?? 0;
  const x = randn(layout === 1 ? [N, L, I] : [L, N, I]);
  const state = () => randn(layout === 1 ? [N, dirs, H] : [dirs, N, H]).mul(0.5);
  const inits: Record<string, FloatInit> = {
    W: { float: randn([dirs, gates * H, I]).mul(0.5) },
    R: { float: randn([dirs, gates * H, H]).mul(0.5) },
    B: { float: randn([dirs, 2 * gates * H]).mul(0.5) },
  };
  const feeds: Record<string, Tensor> = { X: x };
  const inputs = ['X', 'W', 'R', 'B', '', '', '', ''];
  if (c.lens !== undefined) {
    feeds.lens = fromArray(Int32Array.from(c.lens), [N], { dtype: 'int32' });
    inputs[4] = 'lens';
  }
  if (c.initial === true) {
    inits.h0 = { float: state() };
    inputs[5] = 'h0';
    if (c.op === 'LSTM') {
      inits.c0 = { float: state() };
      inputs[6] = 'c0';
    }
  }
  if (c.peepholes === true) {
    inits.P = { float: randn([dirs, 3 * H]).mul(0.5) };
    inputs[7] = 'P';
  }
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const outputs = c.op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  const attrs = { hidden_size: H, direction: c.direction ?? 'forward', layout, ...c.attrs };
  const bytes = oneNodeModel(c.op, inputs, feeds, inits, outputs, attrs);
  if (layout === 0) return expectMatchesOrt(bytes, feeds, 1e-5);
  // onnxruntime-node runs layout 0 only: it runs the same node time-major, on transposed X and
  // states, and its outputs are compared with the batch-major ones transposed back.
  const timeMajor: Record<string, FloatInit> = { ...inits };
  for (const name of ['h0', 'c0']) {
    const t = inits[name];
    if (t !== undefined) timeMajor[name] = { float: t.float.transpose(0, 1).contiguous() };
  }
  const ortFeeds = { ...feeds, X: x.transpose(0, 1).contiguous() };
  const ort = await runOrt(oneNodeModel(c.op, inputs, ortFeeds, timeMajor, outputs, { ...attrs, layout: 0 }), ortFeeds);
  const mine = importModel(bytes)(...Object.values(feeds)) as Tensor[];
  let worst = 0;
  for (const [i, o] of ort.entries()) {
    const back = i === 0 ? mine[i]!.permute(1, 2, 0, 3) : mine[i]!.transpose(0, 1);
    expect([...back.shape]).toEqual([...o.dims]);
    worst = Math.max(worst, maxAbsDiff(back.contiguous().dataSync(), o.data));
  }
  expect(worst).toBeLessThanOrEqual(1e-5);
  return worst;
}

const cases: RnnCase[] = [];
for (const op of ['RNN', 'LSTM', 'GRU'] as const) {
  for (const direction of ['forward', 'reverse', 'bidirectional'] as const)
    for (const layout of [0, 1] as const)
      cases.push({
        name: `${direction}, layout ${layout}, sequence_lens, initial states`,
        op,
        direction,
        layout,
        lens: [5, 2, 4],
        initial: true,
      });
  cases.push({
    name: 'bidirectional, sequence_lens with a full-length and a length-1 entry',
    op,
    direction: 'bidirectional',
    lens: [1, 5, 3],
  });
  cases.push({ name: 'clip', op, direction: 'bidirectional', initial: true, attrs: { clip: { float: 0.7 } } });
}
cases.push({
  name: 'bidirectional peepholes, sequence_lens, layout 1',
  op: 'LSTM',
  direction: 'bidirectional',
  layout: 1,
  lens: [3, 5, 1],
  initial: true,
  peepholes: true,
});
cases.push({ name: 'input_forget', op: 'LSTM', initial: true, attrs: { input_forget: 1 } });
for (const lbr of [0, 1])
  cases.push({
    name: `linear_before_reset ${lbr}, bidirectional, sequence_lens`,
    op: 'GRU',
    direction: 'bidirectional',
    lens: [4, 5, 2],
    initial: true,
    attrs: { linear_before_reset: lbr },
  });
cases.push({
  name: 'Relu activation',
  op: 'RNN',
  direction: 'bidirectional',
  attrs: { activations: { strings: ['Relu', 'Relu'] } },
});
cases.push({
  name: 'ScaledTanh and Affine (alpha, beta per direction)',
  op: 'RNN',
  direction: 'bidirectional',
  attrs: {
    activations: { strings: ['ScaledTanh', 'Affine'] },
    activation_alpha: { floats: [0.8, 0.3] },
    activation_beta: { floats: [1.5, -0.2] },
  },
});
cases.push({
  name: 'HardSigmoid, Softsign, Elu activations',
  op: 'LSTM',
  initial: true,
  attrs: {
    activations: { strings: ['HardSigmoid', 'Softsign', 'Elu'] },
    activation_alpha: { floats: [0.3, 0.9] },
    activation_beta: { floats: [0.4] },
  },
});
cases.push({
  name: 'Sigmoid and Softplus activations, linear_before_reset 0',
  op: 'GRU',
  initial: true,
  attrs: { activations: { strings: ['Sigmoid', 'Softplus'] } },
});
cases.push({
  name: 'LeakyRelu and Elu activations (alpha per direction)',
  op: 'RNN',
  direction: 'bidirectional',
  initial: true,
  attrs: { activations: { strings: ['LeakyRelu', 'Elu'] }, activation_alpha: { floats: [0.1, 0.7] } },
});
cases.push({
  name: 'Sigmoid and ThresholdedRelu activations',
  op: 'GRU',
  attrs: {
    activations: { strings: ['Sigmoid', 'ThresholdedRelu'] },
    activation_alpha: { floats: [0.2] },
    linear_before_reset: 1,
  },
});

describe('import: RNN, LSTM and GRU nodes against onnxruntime-node', () => {
  for (const [k, c] of cases.entries())
    it(`${c.op}: ${c.name}`, async () => {
      manualSeed(200 + k);
      await check(c);
    });

  it('an unknown activation is an error naming the node and the supported ones', () => {
    const x = randn([L, N, I]);
    const bytes = oneNodeModel(
      'RNN',
      ['X', 'W', 'R'],
      { X: x },
      { W: { float: randn([1, H, I]) }, R: { float: randn([1, H, H]) } },
      ['Y'],
      { hidden_size: H, activations: { strings: ['Gelu'] } },
    );
    expect(() => importModel(bytes)(x)).toThrow(
      /node 'RNN_0' \(RNN\): activation Gelu is not supported \(Sigmoid, Tanh, Relu/,
    );
  });
});
