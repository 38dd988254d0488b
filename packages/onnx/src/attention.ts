/**
 * MultiheadAttention and the Transformer layers -> plain ONNX ops (MatMul, Softmax,
 * LayerNormalization, ...): opset 17 has no attention op. Masks become additive terms on the
 * scores, as MultiheadAttention adds them.
 */
import { fromArray, nn, Tensor } from '@flint/core';
import type { GraphBuilder } from './graph.js';
import { DataType } from './proto/index.js';

type Fail = (why: string) => never;

/** `v` (holding `ndim` dims) through Linear `m`: Gemm for 2-D input, else MatMul + Add. */
export function linearValue(g: GraphBuilder, m: nn.Linear, v: string, ndim: number): string {
  if (ndim === 2) {
    const inputs = [v, g.value(m.weight)];
    if (m.bias !== null) inputs.push(g.value(m.bias));
    return g.node('Gemm', inputs, { transB: 1 });
  }
  const wt = g.node('Transpose', [g.value(m.weight)], { perm: [1, 0] });
  const y = g.node('MatMul', [v, wt]);
  return m.bias === null ? y : g.node('Add', [y, g.value(m.bias)]);
}

export function layerNormValue(g: GraphBuilder, m: nn.LayerNorm, v: string): string {
  const n = m.normalizedShape.reduce((a, b) => a * b, 1);
  const scale = m.weight === null ? g.constant(new Array(n).fill(1), 'float32', m.normalizedShape) : g.value(m.weight);
  const bias = m.bias === null ? g.constant(new Array(n).fill(0), 'float32', m.normalizedShape) : g.value(m.bias);
  return g.node('LayerNormalization', [v, scale, bias], { axis: -m.normalizedShape.length, epsilon: { float: m.eps } });
}

/** Rows [from, to) of a 2-D weight or 1-D bias (the q, k, v blocks of in_proj_weight). */
function rows(g: GraphBuilder, t: Tensor, from: number, to: number): string {
  return g.node('Slice', [
    g.value(t),
    g.constant([from], 'int64'),
    g.constant([to], 'int64'),
    g.constant([0], 'int64'),
  ]);
}

function project(g: GraphBuilder, x: string, weight: string, bias: string | null): string {
  const y = g.node('MatMul', [x, g.node('Transpose', [weight], { perm: [1, 0] })]);
  return bias === null ? y : g.node('Add', [y, bias]);
}

export interface AttentionValues {
  out: string;
  /** The attention weights per head, [N, heads, L, S]. */
  attn: string;
}

/** The masks of one attention call, as MultiheadAttention takes them. */
export interface AttentionMasks {
  /** [L, S] or [N * heads, L, S]; bool (true = not allowed) or float (added to the scores). */
  attnMask?: Tensor | null;
  /** [N, S]; bool (true = padding) or float (added). */
  keyPaddingMask?: Tensor | null;
  /** A causal mask when attnMask is not given. */
  isCausal?: boolean;
  /** The call's input is unbatched (2-D): the key padding mask is [S]. */
  unbatched?: boolean;
}

/** A mask as the float term MultiheadAttention adds to the scores: bool true -> -inf, false -> 0. */
function additiveMask(g: GraphBuilder, mask: Tensor): string {
  const v = g.value(mask);
  if (mask.dtype === 'bool')
    return g.node('Where', [v, g.constant([Number.NEGATIVE_INFINITY], 'float32', []), g.constant([0], 'float32', [])]);
  return mask.dtype === 'float32' ? v : g.node('Cast', [v], { to: DataType.FLOAT });
}

/**
 * The scores [N, h, L, S] with the masks added. Every shape is read from the values (Shape nodes),
 * so a mask that is a graph input with a dynamic sequence axis works at any length, and the causal
 * mask is built at the running L and S.
 */
function maskedScores(
  g: GraphBuilder,
  scores: string,
  qh: string,
  kh: string,
  heads: number,
  masks: AttentionMasks,
): string {
  let out = scores;
  const attnMask = masks.attnMask ?? null;
  if (attnMask !== null) {
    let term = additiveMask(g, attnMask);
    if (attnMask.ndim === 3) {
      // [N * h, L, S] -> [N, h, L, S], as the module's [N * h, L, S] scores are laid out.
      const target = g.node('Concat', [g.constant([-1, heads], 'int64'), g.node('Shape', [term], { start: 1 })], {
        axis: 0,
      });
      term = g.node('Reshape', [term, target]);
    }
    out = g.node('Add', [out, term]);
  } else if (masks.isCausal === true) {
    // -inf strictly above the diagonal of [L, S] (top-left aligned, as causalMask), 0 elsewhere.
    const lengths = g.node(
      'Concat',
      [g.node('Shape', [qh], { start: 2, end: 3 }), g.node('Shape', [kh], { start: 2, end: 3 })],
      { axis: 0 },
    );
    const filled = g.node('Expand', [g.constant([Number.NEGATIVE_INFINITY], 'float32', []), lengths]);
    out = g.node('Add', [out, g.node('Trilu', [filled, g.constant([1], 'int64', [])], { upper: 1 })]);
  }
  const kpm = masks.keyPaddingMask ?? null;
  if (kpm !== null) {
    // [N, S] -> [N, 1, 1, S] against the [N, h, L, S] scores ([S] -> [1, 1, 1, S] unbatched).
    const axes = masks.unbatched === true ? [0, 1, 2] : [1, 2];
    const term = g.node('Unsqueeze', [additiveMask(g, kpm), g.constant(axes, 'int64')]);
    out = g.node('Add', [out, term]);
  }
  return out;
}

/** MultiheadAttention on batch-major values q [N, L, E], k and v [N, S, E], with its masks; no bias_k/v. */
export function attentionValues(
  g: GraphBuilder,
  m: nn.MultiheadAttention,
  q: string,
  k: string,
  v: string,
  masks: AttentionMasks,
  fail: Fail,
): AttentionValues {
  const withExtras = m as nn.MultiheadAttention & { bias_k?: Tensor | null; addZeroAttn?: boolean };
  if ((withExtras.bias_k ?? null) !== null || withExtras.addZeroAttn === true) fail('addBiasKv / addZeroAttn');
  const E = m.embedDim;
  const h = m.numHeads;
  const d = m.headDim;
  const bias = (i: number) => (m.in_proj_bias === null ? null : rows(g, m.in_proj_bias, i * E, (i + 1) * E));
  const [wq, wk, wv] =
    m.in_proj_weight !== null
      ? [0, 1, 2].map((i) => rows(g, m.in_proj_weight!, i * E, (i + 1) * E))
      : [m.q_proj_weight!, m.k_proj_weight!, m.v_proj_weight!].map((w) => g.value(w));
  // [N, L, E] -> [N, h, L, d]
  const heads = (x: string) =>
    g.node('Transpose', [g.node('Reshape', [x, g.constant([0, 0, h, d], 'int64')])], { perm: [0, 2, 1, 3] });
  const qh = heads(project(g, q, wq!, bias(0)));
  const kh = heads(project(g, k, wk!, bias(1)));
  const vh = heads(project(g, v, wv!, bias(2)));
  const scores = g.node('Mul', [
    g.node('MatMul', [qh, g.node('Transpose', [kh], { perm: [0, 1, 3, 2] })]),
    g.constant([1 / Math.sqrt(d)], 'float32', []),
  ]);
  const attn = g.node('Softmax', [maskedScores(g, scores, qh, kh, h, masks)], { axis: -1 });
  const context = g.node('Reshape', [
    g.node('Transpose', [g.node('MatMul', [attn, vh])], { perm: [0, 2, 1, 3] }),
    g.constant([0, 0, E], 'int64'),
  ]);
  const out = linearValue(g, m.out_proj, context, 3);
  return { out, attn };
}

/** A [N, L, E] value from batch-first, time-major [L, N, E] or unbatched [L, E] input. */
function toBatchMajor(g: GraphBuilder, v: string, batchFirst: boolean, unbatched = false): string {
  if (unbatched) return g.node('Unsqueeze', [v, g.constant([0], 'int64')]);
  return batchFirst ? v : g.node('Transpose', [v], { perm: [1, 0, 2] });
}

/** A batch-major [N, L, E] value back in the input's layout. */
function fromBatchMajor(g: GraphBuilder, v: string, batchFirst: boolean, unbatched = false): string {
  if (unbatched) return g.node('Squeeze', [v, g.constant([0], 'int64')]);
  return batchFirst ? v : g.node('Transpose', [v], { perm: [1, 0, 2] });
}

/** Whether a layer's or attention's input is unbatched (2-D); other than 2-D or 3-D is an error. */
function isUnbatched(fail: Fail, ...inputs: Tensor[]): boolean {
  if (inputs.some((t) => t.ndim !== 2 && t.ndim !== 3)) fail('input that is neither 2-D nor 3-D');
  return inputs[0]!.ndim === 2;
}

interface AttentionCall extends AttentionMasks {
  needWeights?: boolean;
  averageAttnWeights?: boolean;
}

/** A MultiheadAttention module call (query, key, value, options) -> its output and weights. */
export function emitAttention(g: GraphBuilder, m: nn.MultiheadAttention, args: unknown[], fail: Fail): string[] {
  const [query, key, value, options] = args as [Tensor, Tensor, Tensor, AttentionCall | undefined];
  const o = options ?? {};
  const unbatched = isUnbatched(fail, query, key, value);
  const [q, k, v] = [query, key, value].map((t) => toBatchMajor(g, g.value(t), m.batchFirst, unbatched));
  const r = attentionValues(g, m, q!, k!, v!, { ...o, unbatched }, fail);
  const out = fromBatchMajor(g, r.out, m.batchFirst, unbatched);
  if (!(o.needWeights ?? true)) return [out];
  const average = o.averageAttnWeights ?? true;
  const weights = average ? g.reduceMean(r.attn, [1], false) : r.attn;
  return [out, unbatched ? g.node('Squeeze', [weights, g.constant([0], 'int64')]) : weights];
}

/** Which of F.relu / F.gelu a layer's activation function is (checked on probe values). */
function activationKind(f: (x: Tensor) => Tensor, fail: Fail): 'relu' | 'gelu' {
  if (f === nn.functional.relu) return 'relu';
  const probe = fromArray(Float32Array.from([-3, -1.5, -0.5, 0.25, 1, 2.5]), [6]);
  const read = (t: Tensor) => {
    const values = t.dataSync();
    t.dispose();
    return values;
  };
  const got = read(f(probe));
  const gelu = read(nn.functional.gelu(probe));
  const relu = read(probe.relu());
  probe.dispose();
  const same = (a: ArrayLike<number>) => Array.from(got as ArrayLike<number>).every((x, i) => x === a[i]);
  if (same(gelu as ArrayLike<number>)) return 'gelu';
  if (same(relu as ArrayLike<number>)) return 'relu';
  return fail('a custom activation function (relu and gelu are exported)');
}

interface EncoderCall {
  srcMask?: Tensor | null;
  mask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

interface DecoderCall {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}

/** An options object, or PyTorch's positional masks (a Tensor or null first) mapped onto `names`, as the layers read them. */
function callOptions<T extends object>(args: unknown[], names: (keyof T)[]): T {
  const [first] = args;
  if (first === undefined) return {} as T;
  if (first !== null && !(first instanceof Tensor)) return first as T;
  return Object.fromEntries(names.map((n, i) => [n, args[i] ?? null])) as T;
}

type Layer = nn.TransformerEncoderLayer | nn.TransformerDecoderLayer;

/** linear2(activation(linear1(x))), dropout being the identity in eval. */
function feedForward(g: GraphBuilder, m: Layer, kind: 'relu' | 'gelu', x: string): string {
  const hidden = linearValue(g, m.linear1, x, 3);
  const act = kind === 'relu' ? g.node('Relu', [hidden]) : gelu(g, hidden);
  return linearValue(g, m.linear2, act, 3);
}

/** A TransformerEncoderLayer call (src, options or PyTorch's positional srcMask, srcKeyPaddingMask) -> its output. */
export function emitEncoderLayer(
  g: GraphBuilder,
  m: nn.TransformerEncoderLayer,
  args: unknown[],
  fail: Fail,
): string[] {
  const src = args[0] as Tensor;
  const o = callOptions<EncoderCall>(args.slice(1), ['srcMask', 'srcKeyPaddingMask']);
  const unbatched = isUnbatched(fail, src);
  const kind = activationKind(m.activation, fail);
  const batchFirst = m.self_attn.batchFirst;
  const masks = {
    attnMask: o.srcMask ?? o.mask ?? null,
    keyPaddingMask: o.srcKeyPaddingMask,
    isCausal: o.isCausal,
    unbatched,
  };
  const sa = (x: string) => attentionValues(g, m.self_attn, x, x, x, masks, fail).out;
  const ff = (x: string) => feedForward(g, m, kind, x);
  let x = toBatchMajor(g, g.value(src), batchFirst, unbatched);
  if (m.normFirst) {
    x = g.node('Add', [x, sa(layerNormValue(g, m.norm1, x))]);
    x = g.node('Add', [x, ff(layerNormValue(g, m.norm2, x))]);
  } else {
    x = layerNormValue(g, m.norm1, g.node('Add', [x, sa(x)]));
    x = layerNormValue(g, m.norm2, g.node('Add', [x, ff(x)]));
  }
  return [fromBatchMajor(g, x, batchFirst, unbatched)];
}

/**
 * A TransformerDecoderLayer call (tgt, memory, options or PyTorch's positional tgtMask, memoryMask,
 * tgtKeyPaddingMask, memoryKeyPaddingMask) -> its output.
 */
export function emitDecoderLayer(
  g: GraphBuilder,
  m: nn.TransformerDecoderLayer,
  args: unknown[],
  fail: Fail,
): string[] {
  const [tgt, memory] = args as [Tensor, unknown];
  if (!(memory instanceof Tensor)) fail('its memory argument is not a Tensor');
  const o = callOptions<DecoderCall>(args.slice(2), [
    'tgtMask',
    'memoryMask',
    'tgtKeyPaddingMask',
    'memoryKeyPaddingMask',
  ]);
  const unbatched = isUnbatched(fail, tgt, memory);
  const kind = activationKind(m.activation, fail);
  const batchFirst = m.self_attn.batchFirst;
  const selfMasks = { attnMask: o.tgtMask, keyPaddingMask: o.tgtKeyPaddingMask, isCausal: o.tgtIsCausal, unbatched };
  const crossMasks = {
    attnMask: o.memoryMask,
    keyPaddingMask: o.memoryKeyPaddingMask,
    isCausal: o.memoryIsCausal,
    unbatched,
  };
  const mem = toBatchMajor(g, g.value(memory), batchFirst, unbatched);
  const sa = (x: string) => attentionValues(g, m.self_attn, x, x, x, selfMasks, fail).out;
  const mha = (x: string) => attentionValues(g, m.multihead_attn, x, mem, mem, crossMasks, fail).out;
  const ff = (x: string) => feedForward(g, m, kind, x);
  let x = toBatchMajor(g, g.value(tgt), batchFirst, unbatched);
  if (m.normFirst) {
    x = g.node('Add', [x, sa(layerNormValue(g, m.norm1, x))]);
    x = g.node('Add', [x, mha(layerNormValue(g, m.norm2, x))]);
    x = g.node('Add', [x, ff(layerNormValue(g, m.norm3, x))]);
  } else {
    x = layerNormValue(g, m.norm1, g.node('Add', [x, sa(x)]));
    x = layerNormValue(g, m.norm2, g.node('Add', [x, mha(x)]));
    x = layerNormValue(g, m.norm3, g.node('Add', [x, ff(x)]));
  }
  return [fromBatchMajor(g, x, batchFirst, unbatched)];
}

/** GELU with erf, 0.5 x (1 + erf(x / sqrt 2)), as F.gelu computes it. */
export function gelu(g: GraphBuilder, x: string): string {
  const erf = g.node('Erf', [g.node('Mul', [x, g.constant([Math.SQRT1_2], 'float32', [])])]);
  return g.node('Mul', [
    g.node('Mul', [x, g.constant([0.5], 'float32', [])]),
    g.node('Add', [erf, g.constant([1], 'float32', [])]),
  ]);
}
