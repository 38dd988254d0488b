/**
 * ONNX's RNN, LSTM and GRU nodes run with Flint ops, one time step at a time (the default
 * activations; GRU with linear_before_reset = 1, as PyTorch's exporter writes it).
 */
import { cat, type Tensor, zeros } from '@flint/core';

const sigmoid = (t: Tensor) => t.sigmoid();
const tanh = (t: Tensor) => t.tanh();
const relu = (t: Tensor) => t.relu();

export interface RecurrentNode {
  opType: 'RNN' | 'LSTM' | 'GRU';
  x: Tensor;
  w: Tensor;
  r: Tensor;
  b: Tensor | null;
  initialH: Tensor | null;
  initialC: Tensor | null;
  hiddenSize: number;
  direction: string;
  activations: string[] | undefined;
  linearBeforeReset: number;
  label: string;
}

/** Y [L, dirs, N, H], Y_h [dirs, N, H] and (LSTM) Y_c. */
export function runRecurrent(n: RecurrentNode): Tensor[] {
  const fail = (why: string): never => {
    throw new Error(`onnx import: ${n.label}: ${why}`);
  };
  if (n.direction !== 'forward' && n.direction !== 'reverse' && n.direction !== 'bidirectional')
    fail(`direction ${n.direction}`);
  if (n.opType === 'GRU' && n.linearBeforeReset !== 1) fail('linear_before_reset = 0 is not supported');
  const dirs = n.direction === 'bidirectional' ? 2 : 1;
  const [L, N] = n.x.shape as [number, number, number];
  const H = n.hiddenSize;
  const gates = n.opType === 'LSTM' ? 4 : n.opType === 'GRU' ? 3 : 1;
  const act = n.activations?.[0] ?? 'Tanh';
  if (n.opType === 'RNN' && act !== 'Tanh' && act !== 'Relu') fail(`activation ${act}`);
  if (n.opType !== 'RNN' && n.activations !== undefined) fail('custom activations');
  const ys: Tensor[] = [];
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let d = 0; d < dirs; d++) {
    const w = n.w.select(0, d); // [gates*H, I]
    const r = n.r.select(0, d); // [gates*H, H]
    const b = n.b?.select(0, d) ?? zeros([2 * gates * H]);
    const wb = b.slice(0, 0, gates * H);
    const rb = b.slice(0, gates * H, 2 * gates * H);
    let h = n.initialH?.select(0, d) ?? zeros([N, H]);
    let c = n.initialC?.select(0, d) ?? zeros([N, H]);
    const reverse = n.direction === 'reverse' || d === 1;
    const out = new Array<Tensor>(L);
    // The input projections of every step at once: [L, N, gates*H].
    const xw = n.x.matmul(w.t()).add(wb);
    const block = (t: Tensor, i: number) => t.slice(-1, i * H, (i + 1) * H);
    for (let s = 0; s < L; s++) {
      const t = reverse ? L - 1 - s : s;
      const xt = xw.select(0, t);
      if (n.opType === 'LSTM') {
        const g = xt.add(h.matmul(r.t())).add(rb);
        const [i, o, f, cc] = [0, 1, 2, 3].map((k) => block(g, k));
        c = sigmoid(f!)
          .mul(c)
          .add(sigmoid(i!).mul(tanh(cc!)));
        h = sigmoid(o!).mul(tanh(c));
      } else if (n.opType === 'GRU') {
        const hr = h.matmul(r.t()).add(rb);
        const z = sigmoid(block(xt, 0).add(block(hr, 0)));
        const rr = sigmoid(block(xt, 1).add(block(hr, 1)));
        const candidate = tanh(block(xt, 2).add(rr.mul(block(hr, 2))));
        h = z.neg().add(1).mul(candidate).add(z.mul(h));
      } else {
        const pre = xt.add(h.matmul(r.t())).add(rb);
        h = act === 'Relu' ? relu(pre) : tanh(pre);
      }
      out[t] = h.unsqueeze(0);
    }
    ys.push(cat(out, 0).unsqueeze(1));
    hs.push(h.unsqueeze(0));
    cs.push(c.unsqueeze(0));
  }
  const y = dirs === 1 ? ys[0]! : cat(ys, 1);
  const result = [y, cat(hs, 0)];
  if (n.opType === 'LSTM') result.push(cat(cs, 0));
  return result;
}
