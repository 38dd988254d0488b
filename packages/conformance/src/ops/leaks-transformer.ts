/**
 * Leak-sweep builders (see leaks.ts) for F.scaledDotProductAttention, nn.init.orthogonal_ /
 * sparse_ / dirac_ and nn.utils.weightNorm (issue 11, item 1).
 */
import type { Tensor } from './adapters.js';
import type { LeakBuilder, LeakInputs } from './leaks.js';

export function transformerBuilders(): Record<string, LeakBuilder> {
  const qkv = (m: LeakInputs) => [m.f([2, 3, 4]), m.f([2, 5, 4]), m.f([2, 5, 2])] as const;
  return {
    'F.scaledDotProductAttention': {
      plain: (m) => m.api.nn.F.scaledDotProductAttention(...qkv(m)),
      causal: (m) => m.api.nn.F.scaledDotProductAttention(m.f([3, 4]), m.f([3, 4]), m.f([3, 2]), { isCausal: true }),
      'bool mask': (m) => {
        const [q, k, v] = qkv(m);
        return m.api.nn.F.scaledDotProductAttention(q, k, v, { attnMask: m.b([1, 0, 1, 1, 1], [1, 5]) });
      },
      'float mask, dropout': (m) => {
        const [q, k, v] = qkv(m);
        return m.api.nn.F.scaledDotProductAttention(q, k, v, { attnMask: m.f([3, 5]), dropoutP: 0.5 });
      },
    },
    'init.orthogonal_': {
      tall: (m) => m.api.nn.init.orthogonal_(m.f([4, 3])),
      wide: (m) => m.api.nn.init.orthogonal_(m.f([2, 3, 2])),
    },
    'init.sparse_': { new: (m) => m.api.nn.init.sparse_(m.f([4, 3]), 0.5) },
    'init.dirac_': { new: (m) => m.api.nn.init.dirac_(m.f([4, 2, 3, 3]), 2) },
    'utils.weightNorm': {
      // The module's parameters and its computed weight are handed to the sweep to free.
      linear: (m) => {
        const lin = m.api.nn.utils.weightNorm(new m.api.nn.Linear(3, 2, { device: m.device }));
        const out = lin(m.f([2, 3]));
        for (const p of lin.parameters()) m.track(p);
        m.track((lin as unknown as { weight: Tensor }).weight);
        return out;
      },
    },
  };
}
