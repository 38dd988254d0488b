/**
 * RNN, LSTM and GRU modules -> ONNX's own RNN/LSTM/GRU ops, one node per layer. The weights stay
 * the module's initializers: Gather nodes reorder PyTorch's gate blocks into ONNX's order (ONNX
 * Runtime folds them once, at session creation).
 */
import { nn, type Tensor } from '@flint/core';
import type { Attr, GraphBuilder } from './graph.js';

/** PyTorch's gate blocks (in their order) as ONNX wants them. */
const GATE_ORDER: Readonly<Record<string, readonly number[]>> = {
  // PyTorch i, f, g, o -> ONNX i, o, f, c
  LSTM: [0, 3, 1, 2],
  // PyTorch r, z, n -> ONNX z, r, h
  GRU: [1, 0, 2],
  RNN_TANH: [0],
  RNN_RELU: [0],
};

type RnnModule = nn.RNN | nn.LSTM | nn.GRU;

export function isRnn(m: nn.Module): m is RnnModule {
  return m.constructor === nn.RNN || m.constructor === nn.LSTM || m.constructor === nn.GRU;
}

/**
 * Emit `m` on input `x` (and initial states, when given) and return the ONNX values of the
 * module's outputs in the order of its output's tensors: output, h_n (and c_n for an LSTM).
 */
export function emitRnn(
  g: GraphBuilder,
  m: RnnModule,
  x: Tensor,
  hx: readonly Tensor[],
  fail: (why: string) => never,
): string[] {
  if (x.ndim !== 3) fail(`input of ${x.ndim} dims (export takes a batched [L, N, H_in] or [N, L, H_in] input)`);
  const H = m.hiddenSize;
  const order = GATE_ORDER[m.mode]!;
  const dirs = m.bidirectional ? 2 : 1;
  const reorder = g.constant(
    order.flatMap((block) => Array.from({ length: H }, (_, i) => block * H + i)),
    'int64',
  );
  const param = (name: string): Tensor => m.getParameter(name);
  /** [dirs, gates*H, ...] from one tensor per direction, gate blocks reordered. */
  const stack = (names: string[]): string => {
    const parts = names.map((n) =>
      g.node('Unsqueeze', [g.node('Gather', [g.value(param(n)), reorder], { axis: 0 }), g.constant([0], 'int64')]),
    );
    return parts.length === 1 ? parts[0]! : g.node('Concat', parts, { axis: 0 });
  };
  const sliceLayer = (state: Tensor, layer: number): string =>
    g.node('Slice', [
      g.value(state),
      g.constant([layer * dirs], 'int64'),
      g.constant([(layer + 1) * dirs], 'int64'),
      g.constant([0], 'int64'),
    ]);

  let input = m.batchFirst ? g.node('Transpose', [g.value(x)], { perm: [1, 0, 2] }) : g.value(x);
  const hs: string[] = [];
  const cs: string[] = [];
  const opType = m.mode === 'LSTM' ? 'LSTM' : m.mode === 'GRU' ? 'GRU' : 'RNN';
  for (let layer = 0; layer < m.numLayers; layer++) {
    const suffixes = m.bidirectional ? [`_l${layer}`, `_l${layer}_reverse`] : [`_l${layer}`];
    const w = stack(suffixes.map((s) => `weight_ih${s}`));
    const r = stack(suffixes.map((s) => `weight_hh${s}`));
    const inputs = [input, w, r];
    if (m.bias) {
      const perDir = suffixes.map((s) =>
        g.node(
          'Concat',
          [
            g.node('Gather', [g.value(param(`bias_ih${s}`)), reorder], { axis: 0 }),
            g.node('Gather', [g.value(param(`bias_hh${s}`)), reorder], { axis: 0 }),
          ],
          { axis: 0 },
        ),
      );
      const unsq = perDir.map((b) => g.node('Unsqueeze', [b, g.constant([0], 'int64')]));
      inputs.push(unsq.length === 1 ? unsq[0]! : g.node('Concat', unsq, { axis: 0 }));
    } else inputs.push('');
    inputs.push('');
    inputs.push(hx[0] === undefined ? '' : sliceLayer(hx[0], layer));
    if (opType === 'LSTM') inputs.push(hx[1] === undefined ? '' : sliceLayer(hx[1], layer));
    while (inputs[inputs.length - 1] === '') inputs.pop();
    const attrs: Record<string, Attr> = {
      hidden_size: H,
      direction: m.bidirectional ? 'bidirectional' : 'forward',
    };
    if (opType === 'GRU') attrs.linear_before_reset = 1;
    if (opType === 'RNN')
      attrs.activations = m.mode === 'RNN_RELU' ? { strings: dirsOf(dirs, 'Relu') } : { strings: dirsOf(dirs, 'Tanh') };
    const y = g.node(opType, inputs, attrs, opType === 'LSTM' ? 3 : 2);
    const yh = g.outputsOf(y)[1]!;
    hs.push(yh);
    if (opType === 'LSTM') cs.push(g.outputsOf(y)[2]!);
    // Y is [L, dirs, N, H]; the next layer (and the module's output) wants [L, N, dirs * H].
    input = g.node('Reshape', [g.node('Transpose', [y], { perm: [0, 2, 1, 3] }), g.constant([0, 0, -1], 'int64')]);
  }
  const out = m.batchFirst ? g.node('Transpose', [input], { perm: [1, 0, 2] }) : input;
  const h = hs.length === 1 ? hs[0]! : g.node('Concat', hs, { axis: 0 });
  if (opType !== 'LSTM') return [out, h];
  const c = cs.length === 1 ? cs[0]! : g.node('Concat', cs, { axis: 0 });
  return [out, h, c];
}

function dirsOf(dirs: number, name: string): string[] {
  return Array.from({ length: dirs }, () => name);
}
