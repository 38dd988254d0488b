/**
 * ONNX's RNN, LSTM and GRU nodes run with Flint ops, one time step at a time: both layouts, per-batch
 * sequence_lens, initial states, LSTM peepholes, input_forget and clip, GRU's two reset placements,
 * and every activation ONNX names.
 */
import { arange, cat, nn, type Tensor, zeros } from '@flint/core';

type Activation = (t: Tensor) => Tensor;

/** ONNX's recurrent activations; `alpha`/`beta` are their activation_alpha/activation_beta values. */
const ACTIVATIONS: Readonly<
  Record<string, { alpha?: number; beta?: number; make: (alpha: number, beta: number) => Activation }>
> = {
  Sigmoid: { make: () => (t) => t.sigmoid() },
  Tanh: { make: () => (t) => t.tanh() },
  Relu: { make: () => (t) => t.relu() },
  Softsign: { make: () => (t) => t.div(t.abs().add(1)) },
  Softplus: { make: () => (t) => nn.functional.softplus(t) },
  LeakyRelu: { alpha: 0.01, make: (alpha) => (t) => nn.functional.leakyRelu(t, alpha) },
  Elu: { alpha: 1, make: (alpha) => (t) => nn.functional.elu(t, alpha) },
  ThresholdedRelu: { alpha: 1, make: (alpha) => (t) => t.mul(t.gt(alpha).float()) },
  HardSigmoid: { alpha: 0.2, beta: 0.5, make: (alpha, beta) => (t) => t.mul(alpha).add(beta).clamp(0, 1) },
  Affine: { alpha: 1, beta: 0, make: (alpha, beta) => (t) => t.mul(alpha).add(beta) },
  ScaledTanh: { alpha: 1, beta: 1, make: (alpha, beta) => (t) => t.mul(beta).tanh().mul(alpha) },
};

export interface RecurrentNode {
  opType: 'RNN' | 'LSTM' | 'GRU';
  x: Tensor;
  w: Tensor;
  r: Tensor;
  b: Tensor | null;
  /** int32 [N]: each batch entry's length. */
  sequenceLens: Tensor | null;
  initialH: Tensor | null;
  initialC: Tensor | null;
  /** LSTM peepholes [dirs, 3H]: input, output, forget. */
  peepholes: Tensor | null;
  hiddenSize: number;
  direction: string;
  activations: string[] | undefined;
  activationAlpha: number[] | undefined;
  activationBeta: number[] | undefined;
  clip: number | undefined;
  inputForget: number;
  linearBeforeReset: number;
  layout: number;
  label: string;
}

/**
 * Y [L, dirs, N, H], Y_h [dirs, N, H] and (LSTM) Y_c; with layout 1, Y [N, L, dirs, H] and the
 * states [N, dirs, H]. Past a sequence's length its outputs are zero and its state stays as it was,
 * so Y_h is the state at its last valid step (for the reverse direction, at step 0 after starting
 * from its last valid one).
 */
export function runRecurrent(n: RecurrentNode): Tensor[] {
  const fail = (why: string): never => {
    throw new Error(`onnx import: ${n.label}: ${why}`);
  };
  if (n.direction !== 'forward' && n.direction !== 'reverse' && n.direction !== 'bidirectional')
    fail(`direction ${n.direction} is not forward, reverse or bidirectional`);
  if (n.layout !== 0 && n.layout !== 1) fail(`layout ${n.layout} is not 0 or 1`);
  if (n.opType === 'GRU' && n.linearBeforeReset !== 0 && n.linearBeforeReset !== 1)
    fail(`linear_before_reset ${n.linearBeforeReset} is not 0 or 1`);
  const dirs = n.direction === 'bidirectional' ? 2 : 1;
  // hidden_size may be left out: R is [dirs, gates * H, H].
  const H = n.hiddenSize > 0 ? n.hiddenSize : (n.r.shape[2] ?? 0);
  // Time-major inside: layout 1 is [N, L, I] input and [N, dirs, H] states.
  const x = n.layout === 1 ? n.x.transpose(0, 1) : n.x;
  const stateIn = (t: Tensor | null) => (t === null || n.layout === 0 ? t : t.transpose(0, 1));
  const initialH = stateIn(n.initialH);
  const initialC = stateIn(n.initialC);
  if (x.ndim !== 3) fail(`X of shape [${n.x.shape}] is not 3-D`);
  const [L, N, I] = x.shape as [number, number, number];
  const gates = n.opType === 'LSTM' ? 4 : n.opType === 'GRU' ? 3 : 1;
  const expectShape = (t: Tensor | null, shape: number[], what: string) => {
    if (t !== null && (t.ndim !== shape.length || t.shape.some((s, i) => s !== shape[i])))
      fail(`${what} has shape [${t.shape}], expected [${shape}]`);
  };
  expectShape(n.w, [dirs, gates * H, I], 'W');
  expectShape(n.r, [dirs, gates * H, H], 'R');
  expectShape(n.b, [dirs, 2 * gates * H], 'B');
  expectShape(initialH, [dirs, N, H], 'initial_h');
  expectShape(initialC, [dirs, N, H], 'initial_c');
  expectShape(n.peepholes, [dirs, 3 * H], 'P');
  expectShape(n.sequenceLens, [N], 'sequence_lens');

  // f, g (and h for LSTM) per direction; the defaults are ONNX's.
  const perDirection = n.opType === 'LSTM' ? 3 : n.opType === 'GRU' ? 2 : 1;
  const defaults =
    n.opType === 'LSTM' ? ['Sigmoid', 'Tanh', 'Tanh'] : n.opType === 'GRU' ? ['Sigmoid', 'Tanh'] : ['Tanh'];
  const names = n.activations ?? [];
  if (names.length !== 0 && names.length !== perDirection && names.length !== perDirection * dirs)
    fail(`${names.length} activations for ${dirs} direction(s) (expected ${perDirection} per direction)`);
  const alphas = [...(n.activationAlpha ?? [])];
  const betas = [...(n.activationBeta ?? [])];
  const activations: Activation[] = [];
  for (let i = 0; i < perDirection * dirs; i++) {
    const name = names.length === 0 ? defaults[i % perDirection]! : (names[i] ?? names[i % perDirection])!;
    const spec =
      ACTIVATIONS[name] ?? fail(`activation ${name} is not supported (${Object.keys(ACTIVATIONS).join(', ')})`);
    // activation_alpha/beta are consumed in order by the activations that take them.
    const alpha = spec.alpha === undefined ? 0 : (alphas.shift() ?? spec.alpha);
    const beta = spec.beta === undefined ? 0 : (betas.shift() ?? spec.beta);
    activations.push(spec.make(alpha, beta));
  }
  const clip = n.clip === undefined ? (t: Tensor) => t : (t: Tensor) => t.clamp(-n.clip!, n.clip!);

  // valid[t] is 1 where step t lies within the batch entry's length: [L, N, 1].
  const valid =
    n.sequenceLens === null
      ? null
      : arange(0, L, 1, { device: x.device })
          .reshape([L, 1])
          .lt(n.sequenceLens.reshape([1, N]))
          .float()
          .unsqueeze(-1);

  const ys: Tensor[] = [];
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let d = 0; d < dirs; d++) {
    const [f, g, h3] = activations.slice(d * perDirection, (d + 1) * perDirection) as [
      Activation,
      Activation,
      Activation,
    ];
    const w = n.w.select(0, d); // [gates*H, I]
    const r = n.r.select(0, d); // [gates*H, H]
    const b = n.b?.select(0, d) ?? zeros([2 * gates * H], { device: x.device });
    const wb = b.slice(0, 0, gates * H);
    const rb = b.slice(0, gates * H, 2 * gates * H);
    const p = n.peepholes?.select(0, d) ?? null;
    const block = (t: Tensor, i: number) => t.slice(-1, i * H, (i + 1) * H);
    let h = initialH?.select(0, d) ?? zeros([N, H], { device: x.device });
    let c = initialC?.select(0, d) ?? zeros([N, H], { device: x.device });
    const reverse = n.direction === 'reverse' || d === 1;
    const out = new Array<Tensor>(L);
    // The input projections of every step at once: [L, N, gates*H].
    const xw = x.matmul(w.t()).add(wb);
    for (let s = 0; s < L; s++) {
      const t = reverse ? L - 1 - s : s;
      const xt = xw.select(0, t);
      let hNext: Tensor;
      let cNext = c;
      if (n.opType === 'LSTM') {
        // ONNX's gate order: input, output, forget, cell.
        const pre = xt.add(h.matmul(r.t())).add(rb);
        const peep = (k: number, state: Tensor) =>
          p === null ? block(pre, k) : block(pre, k).add(block(p, k).mul(state));
        const i = f(clip(peep(0, c)));
        const forget = n.inputForget === 1 ? i.neg().add(1) : f(clip(peep(2, c)));
        cNext = forget.mul(c).add(i.mul(g(clip(block(pre, 3)))));
        const o = f(clip(peep(1, cNext)));
        hNext = o.mul(h3(cNext));
      } else if (n.opType === 'GRU') {
        // ONNX's gate order: update, reset, hidden.
        const rh = r.slice(0, 2 * H, 3 * H);
        const hr = h.matmul(r.slice(0, 0, 2 * H).t()).add(rb.slice(0, 0, 2 * H));
        const z = f(clip(block(xt, 0).add(block(hr, 0))));
        const reset = f(clip(block(xt, 1).add(block(hr, 1))));
        const rbh = rb.slice(0, 2 * H, 3 * H);
        const recurrent =
          n.linearBeforeReset === 1 ? reset.mul(h.matmul(rh.t()).add(rbh)) : reset.mul(h).matmul(rh.t()).add(rbh);
        const candidate = g(clip(block(xt, 2).add(recurrent)));
        hNext = z.neg().add(1).mul(candidate).add(z.mul(h));
      } else {
        hNext = f(clip(xt.add(h.matmul(r.t())).add(rb)));
      }
      if (valid === null) {
        h = hNext;
        c = cNext;
        out[t] = h.unsqueeze(0);
      } else {
        const m = valid.select(0, t); // [N, 1]
        const keep = m.neg().add(1);
        h = hNext.mul(m).add(h.mul(keep));
        if (n.opType === 'LSTM') c = cNext.mul(m).add(c.mul(keep));
        out[t] = hNext.mul(m).unsqueeze(0);
      }
    }
    ys.push(cat(out, 0).unsqueeze(1));
    hs.push(h.unsqueeze(0));
    cs.push(c.unsqueeze(0));
  }
  const y = dirs === 1 ? ys[0]! : cat(ys, 1); // [L, dirs, N, H]
  const yH = cat(hs, 0);
  const yC = cat(cs, 0);
  const result = n.layout === 1 ? [y.permute(2, 0, 1, 3), yH.transpose(0, 1), yC.transpose(0, 1)] : [y, yH, yC];
  return n.opType === 'LSTM' ? result : result.slice(0, 2);
}
