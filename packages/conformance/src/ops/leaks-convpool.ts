/**
 * Leak-sweep builders (see leaks.ts) for nn.functional's convolution, pooling, resizing and
 * folding forms of issue 11 (core's ops/conv-transpose.ts, pooling.ts, resize.ts, fold.ts and
 * pad-modes.ts): every public function, with variants for its batched/unbatched and option paths.
 */
import type { LeakBuilder, LeakInputs } from './leaks.js';

type Call = (...args: unknown[]) => unknown;

/** nn.functional.<name>, looked up by name (the builders call exactly what the sweep enumerates). */
const F = (m: LeakInputs, name: string): Call => (m.api.nn.functional as unknown as Record<string, Call>)[name] as Call;

const img = (m: LeakInputs, shape: number[] = [2, 2, 5, 6]) => m.f(shape, { lo: -1, hi: 1 });
const sig = (m: LeakInputs, shape: number[] = [2, 2, 7]) => m.f(shape, { lo: -1, hi: 1 });

export function convpoolBuilders(): Record<string, LeakBuilder> {
  return {
    'F.conv1d': {
      bias: (m) => F(m, 'conv1d')(sig(m), m.f([3, 2, 3]), m.f([3]), { padding: 1 }),
      'same, unbatched, groups': (m) =>
        F(m, 'conv1d')(sig(m, [2, 7]), m.f([4, 1, 2]), null, { padding: 'same', groups: 2 }),
    },
    'F.convTranspose1d': {
      bias: (m) => F(m, 'convTranspose1d')(sig(m), m.f([2, 3, 3]), m.f([3]), { stride: 2, outputPadding: 1 }),
      unbatched: (m) => F(m, 'convTranspose1d')(sig(m, [2, 5]), m.f([2, 1, 2]), null, { groups: 2 }),
    },
    'F.convTranspose2d': {
      bias: (m) =>
        F(m, 'convTranspose2d')(img(m), m.f([2, 3, 3, 2]), m.f([3]), { stride: 2, padding: 1, outputPadding: 1 }),
      'output padding past the stride': (m) =>
        F(m, 'convTranspose2d')(img(m, [2, 3, 3]), m.f([2, 1, 2, 2]), null, { dilation: 3, outputPadding: 2 }),
    },
    'F.maxPool1d': {
      batched: (m) => F(m, 'maxPool1d')(sig(m), 2),
      unbatched: (m) => F(m, 'maxPool1d')(sig(m, [2, 7]), 3, { padding: 1 }),
    },
    'F.maxPool1dWithIndices': { batched: (m) => F(m, 'maxPool1dWithIndices')(sig(m), 3, { stride: 2 }) },
    'F.avgPool1d': { batched: (m) => F(m, 'avgPool1d')(sig(m), 2, { ceilMode: true }) },
    'F.adaptiveAvgPool1d': { batched: (m) => F(m, 'adaptiveAvgPool1d')(sig(m), 3) },
    'F.adaptiveAvgPool2d': {
      batched: (m) => F(m, 'adaptiveAvgPool2d')(img(m), [2, 4]),
      'unbatched, kept dim': (m) => F(m, 'adaptiveAvgPool2d')(img(m, [2, 5, 6]), [null, 4]),
    },
    'F.adaptiveMaxPool1d': { batched: (m) => F(m, 'adaptiveMaxPool1d')(sig(m), 3) },
    'F.adaptiveMaxPool1dWithIndices': { batched: (m) => F(m, 'adaptiveMaxPool1dWithIndices')(sig(m), 4) },
    'F.adaptiveMaxPool2d': {
      batched: (m) => F(m, 'adaptiveMaxPool2d')(img(m), [2, 4]),
      unbatched: (m) => F(m, 'adaptiveMaxPool2d')(img(m, [2, 5, 6]), 3),
    },
    'F.adaptiveMaxPool2dWithIndices': { batched: (m) => F(m, 'adaptiveMaxPool2dWithIndices')(img(m), [3, 2]) },
    'F.interpolate': {
      nearest: (m) => F(m, 'interpolate')(img(m), { scaleFactor: 2 }),
      bilinear: (m) => F(m, 'interpolate')(img(m), { size: [7, 3], mode: 'bilinear', alignCorners: true }),
      linear: (m) => F(m, 'interpolate')(sig(m), { scaleFactor: 1.5, mode: 'linear' }),
      area: (m) => F(m, 'interpolate')(img(m), { size: 3, mode: 'area' }),
    },
    'F.pixelShuffle': { new: (m) => F(m, 'pixelShuffle')(img(m, [1, 8, 2, 3]), 2) },
    'F.pixelUnshuffle': { new: (m) => F(m, 'pixelUnshuffle')(img(m, [1, 2, 4, 6]), 2) },
    'F.unfold': {
      batched: (m) => F(m, 'unfold')(img(m), 2, { stride: 2, padding: 1 }),
      unbatched: (m) => F(m, 'unfold')(img(m, [2, 5, 6]), [3, 2], { dilation: [1, 2] }),
    },
    'F.fold': {
      batched: (m) => F(m, 'fold')(m.f([2, 8, 12]), [4, 5], 2),
      'unbatched, strided': (m) => F(m, 'fold')(m.f([18, 9]), 5, 3, { stride: 2, padding: 1 }),
    },
  };
}
