/**
 * Adapters for fixtures/ops-nnextra.json (generate_nnextra.py, issue 11 item 1): the activations,
 * normalizations, deterministic dropout forms, distances, bilinear, embedding bags and losses of
 * nn.functional. Arguments PyTorch's kernel does not differentiate (running statistics, class
 * weights, soft-margin targets) are detached here as the generator detaches them.
 */
import type { TorchArgs } from '../fixtures/load.js';
import type { OpAdapter, Tensor } from './adapters.js';

/**
 * snake_case keyword arguments -> camelCase options (adapters.ts's camelOptions; restated because
 * importing a value from adapters.ts, which spreads this table, would make an import cycle).
 */
function camelOptions(args: TorchArgs, omit: readonly string[] = []): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args)
      .filter(([k]) => !omit.includes(k))
      .map(([k, v]) => [k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()), v]),
  );
}

const reduction = (a: TorchArgs): { reduction?: string } =>
  a.reduction === undefined ? {} : { reduction: a.reduction };

const ACTIVATIONS: Record<string, OpAdapter> = {
  'F.selu': (c, [x]) => c.F('selu')(x),
  'F.celu': (c, [x], a) => c.F('celu')(x, a.alpha ?? 1),
  'F.elu': (c, [x], a) => c.F('elu')(x, a.alpha ?? 1),
  'F.silu': (c, [x]) => c.F('silu')(x),
  'F.mish': (c, [x]) => c.F('mish')(x),
  'F.hardswish': (c, [x]) => c.F('hardswish')(x),
  'F.hardsigmoid': (c, [x]) => c.F('hardsigmoid')(x),
  'F.hardtanh': (c, [x], a) => c.F('hardtanh')(x, a.min_val ?? -1, a.max_val ?? 1),
  'F.relu6': (c, [x]) => c.F('relu6')(x),
  'F.softplus': (c, [x], a) => c.F('softplus')(x, a.beta ?? 1, a.threshold ?? 20),
  'F.softsign': (c, [x]) => c.F('softsign')(x),
  'F.logsigmoid': (c, [x]) => c.F('logsigmoid')(x),
  'F.tanhshrink': (c, [x]) => c.F('tanhshrink')(x),
  'F.hardshrink': (c, [x], a) => c.F('hardshrink')(x, a.lambd ?? 0.5),
  'F.softshrink': (c, [x], a) => c.F('softshrink')(x, a.lambd ?? 0.5),
  'F.threshold': (c, [x], a) => c.F('threshold')(x, a.threshold, a.value),
  'F.rrelu': (c, [x], a) => c.F('rrelu')(x, a.lower ?? 1 / 8, a.upper ?? 1 / 3, a.training ?? false),
  'F.softmin': (c, [x], a) => c.F('softmin')(x, a.dim),
  'F.glu': (c, [x], a) => c.F('glu')(x, a.dim ?? -1),
  'F.prelu': (c, [x, w]) => c.F('prelu')(x, w),
  'F.margin_ranking_loss': (c, [x1, x2, y], a) => c.F('marginRankingLoss')(x1, x2, y, camelOptions(a)),
  'F.hinge_embedding_loss': (c, [x, y], a) => c.F('hingeEmbeddingLoss')(x, y, camelOptions(a)),
  'F.multi_margin_loss': (c, [x, y, w], a) =>
    c.F('multiMarginLoss')(x, y, { ...camelOptions(a), weight: w === undefined ? null : w.detach() }),
  'F.soft_margin_loss': (c, [x, y], a) => c.F('softMarginLoss')(x, y!.detach(), reduction(a)),
  'F.cosine_similarity': (c, [x1, x2], a) => c.F('cosineSimilarity')(x1, x2, a.dim ?? 1, a.eps ?? 1e-8),
};

/** The ops whose fixtures include `<op>:edge` cases (same adapter, inputs on the kinks). */
const EDGE_OPS = [
  'F.hardswish',
  'F.hardsigmoid',
  'F.selu',
  'F.celu',
  'F.hardshrink',
  'F.softshrink',
  'F.threshold',
  'F.prelu',
  'F.rrelu',
  'F.cosine_similarity',
  'F.margin_ranking_loss',
  'F.hinge_embedding_loss',
  'F.multi_margin_loss',
  'F.soft_margin_loss',
];

/** ctc_loss: lengths come as int tensors (inputs 2 and 3) or as lists (args); logits may go through log_softmax first. */
const ctcLoss: OpAdapter = (c, xs, a) => {
  const [x, targets] = xs as [Tensor, Tensor];
  const logProbs = a.log_softmax ? x.logSoftmax(-1) : x;
  const inputLengths = a.input_lengths ?? xs[2];
  const targetLengths = a.target_lengths ?? xs[3];
  return c.F('ctcLoss')(
    logProbs,
    targets,
    inputLengths,
    targetLengths,
    camelOptions(a, ['log_softmax', 'input_lengths', 'target_lengths']),
  );
};

export const NNEXTRA_ADAPTERS: Record<string, OpAdapter> = {
  ...ACTIVATIONS,
  ...Object.fromEntries(EDGE_OPS.map((op) => [`${op}:edge`, ACTIVATIONS[op]!])),
  'F.group_norm': (c, [x, w, b], a) => c.F('groupNorm')(x, a.num_groups, w ?? null, b ?? null, a.eps ?? 1e-5),
  'F.instance_norm': (c, [x, p, q], a) =>
    a.use_input_stats === false
      ? c.F('instanceNorm')(x, p!.detach(), q!.detach(), null, null, { useInputStats: false })
      : c.F('instanceNorm')(x, null, null, p ?? null, q ?? null, { eps: a.eps ?? 1e-5 }),
  'F.local_response_norm': (c, [x], a) =>
    c.F('localResponseNorm')(x, a.size, a.alpha ?? 1e-4, a.beta ?? 0.75, a.k ?? 1),
  'F.dropout1d': (c, [x], a) => c.F('dropout1d')(x, a.p, a.training),
  'F.dropout2d': (c, [x], a) => c.F('dropout2d')(x, a.p, a.training),
  'F.alpha_dropout': (c, [x], a) => c.F('alphaDropout')(x, a.p, a.training),
  'F.feature_alpha_dropout': (c, [x], a) => c.F('featureAlphaDropout')(x, a.p, a.training),
  'F.pairwise_distance': (c, [x1, x2], a) =>
    c.F('pairwiseDistance')(x1, x2, a.p ?? 2, a.eps ?? 1e-6, a.keepdim ?? false),
  'F.bilinear': (c, [x1, x2, w, b]) => c.F('bilinear')(x1, x2, w, b ?? null),
  'F.embedding_bag': (c, xs, a) => {
    const [input, weight] = xs as [Tensor, Tensor];
    // 1-D input: offsets next, then the optional per-sample weights; 2-D: per-sample weights next.
    const offsets = input.ndim === 1 ? xs[2] : undefined;
    const perSampleWeights = input.ndim === 1 ? xs[3] : xs[2];
    return c.F('embeddingBag')(input, weight, {
      ...camelOptions(a),
      offsets: offsets ?? null,
      perSampleWeights: perSampleWeights ?? null,
    });
  },
  'F.kl_div': (c, [x, y], a) => c.F('klDiv')(x, y, camelOptions(a)),
  'F.smooth_l1_loss': (c, [x, y], a) => c.F('smoothL1Loss')(x, y, camelOptions(a)),
  'F.huber_loss': (c, [x, y], a) => c.F('huberLoss')(x, y, camelOptions(a)),
  'F.cosine_embedding_loss': (c, [x1, x2, y], a) => c.F('cosineEmbeddingLoss')(x1, x2, y, camelOptions(a)),
  'F.triplet_margin_loss': (c, [x, p, n], a) => c.F('tripletMarginLoss')(x, p, n, camelOptions(a)),
  'F.poisson_nll_loss': (c, [x, y], a) => c.F('poissonNllLoss')(x, y, camelOptions(a)),
  'F.gaussian_nll_loss': (c, [x, y, v], a) => c.F('gaussianNllLoss')(x, y, v, camelOptions(a)),
  'F.multilabel_soft_margin_loss': (c, [x, y, w], a) =>
    c.F('multilabelSoftMarginLoss')(x, y, { ...camelOptions(a), weight: w === undefined ? null : w.detach() }),
  'F.ctc_loss': ctcLoss,
};

/**
 * Exact gradient check only: the piecewise activations and hinge losses (kinks and bounds), the
 * `:edge` cases on them, the max bags and the CTC recursion (its stand-in for log 0 and PyTorch's
 * gradient rule for log-probabilities are not the derivative of the float32 forward).
 */
export const NNEXTRA_NON_SMOOTH_OPS: readonly string[] = [
  ...EDGE_OPS.map((op) => `${op}:edge`),
  'F.hardswish',
  'F.hardsigmoid',
  'F.hardtanh',
  'F.relu6',
  'F.hardshrink',
  'F.softshrink',
  'F.threshold',
  'F.rrelu',
  'F.prelu',
  'F.margin_ranking_loss',
  'F.hinge_embedding_loss',
  'F.multi_margin_loss',
  'F.cosine_embedding_loss',
  'F.triplet_margin_loss',
  'F.smooth_l1_loss',
  'F.huber_loss',
  'F.embedding_bag',
  'F.ctc_loss',
  'F.gaussian_nll_loss',
];
