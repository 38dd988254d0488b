/**
 * Leak-sweep builders (see leaks.ts) for issue 11's nn.functional forms (core's
 * nn/functional-extra.ts and nn/functional-losses.ts): every public function, with variants for
 * its modes (training/eval, options, tensor or list lengths).
 */
import type { LeakBuilder, LeakInputs } from './leaks.js';

const x23 = (m: LeakInputs) => m.f([2, 3], { lo: -1, hi: 1 });
const x234 = (m: LeakInputs) => m.f([2, 3, 4], { lo: -1, hi: 1 });
const signs = (m: LeakInputs, shape: number[]) =>
  m.track(
    m.api.fromArray(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 3 === 0 ? -1 : 1)),
      shape,
      { device: m.device },
    ),
  );

export function nnextraBuilders(): Record<string, LeakBuilder> {
  return {
    'F.selu': { new: (m) => m.api.nn.F.selu(x23(m)) },
    'F.celu': { new: (m) => m.api.nn.F.celu(x23(m), 0.5) },
    'F.prelu': {
      'one weight': (m) => m.api.nn.F.prelu(x23(m), m.f([1])),
      'per channel': (m) => m.api.nn.F.prelu(x234(m), m.f([3])),
    },
    'F.rrelu': {
      eval: (m) => m.api.nn.F.rrelu(x23(m)),
      training: (m) => m.api.nn.F.rrelu(x23(m), 0.1, 0.3, true),
    },
    'F.mish': { new: (m) => m.api.nn.F.mish(x23(m)) },
    'F.hardswish': { new: (m) => m.api.nn.F.hardswish(x23(m)) },
    'F.hardsigmoid': { new: (m) => m.api.nn.F.hardsigmoid(x23(m)) },
    'F.softsign': { new: (m) => m.api.nn.F.softsign(x23(m)) },
    'F.glu': { new: (m) => m.api.nn.F.glu(x234(m), -1) },
    'F.threshold': { new: (m) => m.api.nn.F.threshold(x23(m), 0.1, -1) },
    'F.tanhshrink': { new: (m) => m.api.nn.F.tanhshrink(x23(m)) },
    'F.hardshrink': { new: (m) => m.api.nn.F.hardshrink(x23(m), 0.3) },
    'F.softshrink': { new: (m) => m.api.nn.F.softshrink(x23(m), 0.3) },
    'F.groupNorm': {
      affine: (m) => m.api.nn.F.groupNorm(m.f([2, 4, 3]), 2, m.f([4]), m.f([4])),
      plain: (m) => m.api.nn.F.groupNorm(m.f([2, 4]), 4),
    },
    'F.instanceNorm': {
      plain: (m) => m.api.nn.F.instanceNorm(x234(m)),
      'running stats updated': (m) =>
        m.api.nn.F.instanceNorm(x234(m), m.f([3], { grad: false }), m.f([3], { grad: false }), m.f([3]), m.f([3])),
      'running stats used': (m) =>
        m.api.nn.F.instanceNorm(x234(m), m.f([3], { grad: false }), m.f([3], { grad: false }), null, null, {
          useInputStats: false,
        }),
    },
    'F.localResponseNorm': { new: (m) => m.api.nn.F.localResponseNorm(x234(m), 3) },
    'F.dropout1d': {
      training: (m) => m.api.nn.F.dropout1d(x234(m), 0.5),
      eval: (m) => m.api.nn.F.dropout1d(x234(m), 0.5, false),
    },
    'F.dropout2d': {
      training: (m) => m.api.nn.F.dropout2d(m.f([2, 3, 2, 2]), 0.5),
      'p=1': (m) => m.api.nn.F.dropout2d(m.f([2, 3, 2, 2]), 1),
    },
    'F.alphaDropout': {
      training: (m) => m.api.nn.F.alphaDropout(x23(m), 0.3, true),
      eval: (m) => m.api.nn.F.alphaDropout(x23(m), 0.3),
    },
    'F.featureAlphaDropout': { training: (m) => m.api.nn.F.featureAlphaDropout(x234(m), 0.3, true) },
    'F.cosineSimilarity': {
      new: (m) => m.api.nn.F.cosineSimilarity(x23(m), x23(m)),
      broadcast: (m) => m.api.nn.F.cosineSimilarity(x23(m), m.f([3]), -1),
    },
    'F.pairwiseDistance': { new: (m) => m.api.nn.F.pairwiseDistance(x23(m), x23(m), 1, 1e-6, true) },
    'F.bilinear': {
      bias: (m) => m.api.nn.F.bilinear(x23(m), m.f([2, 2]), m.f([4, 3, 2]), m.f([4])),
      'no bias': (m) => m.api.nn.F.bilinear(x23(m), m.f([2, 2]), m.f([4, 3, 2])),
    },
    'F.embeddingBag': {
      'offsets, mean': (m) => m.api.nn.F.embeddingBag(m.i([0, 2, 1, 3]), m.f([4, 3]), { offsets: m.i([0, 1, 1]) }),
      'offsets, max, padding': (m) =>
        m.api.nn.F.embeddingBag(m.i([0, 2, 1, 3]), m.f([4, 3]), { offsets: m.i([0, 2]), mode: 'max', paddingIdx: 2 }),
      '2-D, sum, weights': (m) =>
        m.api.nn.F.embeddingBag(m.i([0, 2, 1, 3], [2, 2]), m.f([4, 3]), { mode: 'sum', perSampleWeights: m.f([2, 2]) }),
      '2-D, max': (m) => m.api.nn.F.embeddingBag(m.i([0, 2, 1, 3], [2, 2]), m.f([4, 3]), { mode: 'max' }),
    },
    'F.marginRankingLoss': {
      new: (m) => m.api.nn.F.marginRankingLoss(m.f([4]), m.f([4]), signs(m, [4]), { margin: 0.1 }),
    },
    'F.hingeEmbeddingLoss': { new: (m) => m.api.nn.F.hingeEmbeddingLoss(x23(m), signs(m, [2, 3])) },
    'F.cosineEmbeddingLoss': {
      new: (m) => m.api.nn.F.cosineEmbeddingLoss(x23(m), x23(m), signs(m, [2]), { reduction: 'sum' }),
    },
    'F.tripletMarginLoss': {
      plain: (m) => m.api.nn.F.tripletMarginLoss(x23(m), x23(m), x23(m)),
      swap: (m) => m.api.nn.F.tripletMarginLoss(x23(m), x23(m), x23(m), { swap: true, p: 1 }),
    },
    'F.poissonNllLoss': {
      log: (m) => m.api.nn.F.poissonNllLoss(x23(m), m.f([2, 3], { lo: 0, hi: 3, grad: false })),
      'full, rate': (m) =>
        m.api.nn.F.poissonNllLoss(m.f([2, 3]), m.f([2, 3], { lo: 0, hi: 3, grad: false }), {
          logInput: false,
          full: true,
        }),
    },
    'F.gaussianNllLoss': {
      new: (m) => m.api.nn.F.gaussianNllLoss(x23(m), x23(m), m.f([2, 3]), { full: true }),
      'var per row': (m) => m.api.nn.F.gaussianNllLoss(x23(m), x23(m), m.f([2])),
    },
    'F.multilabelSoftMarginLoss': {
      new: (m) => m.api.nn.F.multilabelSoftMarginLoss(x23(m), m.f([2, 3], { lo: 0, hi: 1, grad: false })),
      weight: (m) =>
        m.api.nn.F.multilabelSoftMarginLoss(x23(m), m.f([2, 3], { lo: 0, hi: 1, grad: false }), {
          weight: m.f([3], { grad: false }),
        }),
    },
    'F.softMarginLoss': { new: (m) => m.api.nn.F.softMarginLoss(x23(m), signs(m, [2, 3])) },
    'F.multiMarginLoss': {
      p1: (m) => m.api.nn.F.multiMarginLoss(x23(m), m.i([2, 0])),
      'p2, weight': (m) =>
        m.api.nn.F.multiMarginLoss(x23(m), m.i([1, 0]), { p: 2, weight: m.f([3], { grad: false }), reduction: 'none' }),
    },
    'F.ctcLoss': {
      'padded, tensor lengths': (m) =>
        m.api.nn.F.ctcLoss(m.f([4, 2, 3], { lo: -2, hi: 0 }), m.i([1, 2, 2, 0], [2, 2]), m.i([4, 3]), m.i([2, 1])),
      'concatenated, list lengths, zeroInfinity': (m) =>
        m.api.nn.F.ctcLoss(m.f([4, 2, 3], { lo: -2, hi: 0 }), m.i([1, 2, 2]), [4, 2], [2, 1], {
          zeroInfinity: true,
          reduction: 'sum',
        }),
    },
  };
}
