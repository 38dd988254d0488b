/**
 * Leak-sweep builders (see leaks.ts) for the ops with data-dependent output shapes, the binning
 * ops and the sampling ops (core's ops/datadep.ts and ops/sampling.ts): every method and free
 * function, with variants for the argument forms and dtype paths each takes. Float inputs of the
 * ops without a derivative do not require grad (backward through them is PyTorch's error).
 */
import type { LeakBuilder, LeakInputs } from './leaks.js';

type Call = (...args: unknown[]) => unknown;
type Variants = Record<string, (m: LeakInputs, call: Call) => unknown>;

/** The same variants as a method ('Tensor.x') and a free function ('x'). */
function both(name: string, variants: Variants): Record<string, LeakBuilder> {
  const method =
    (): Call =>
    (self, ...args) =>
      ((self as Record<string, Call>)[name] as Call).apply(self, args);
  const fn =
    (m: LeakInputs): Call =>
    (...args) =>
      ((m.api as unknown as Record<string, Call>)[name] as Call)(...args);
  const build = (make: (m: LeakInputs) => Call): LeakBuilder =>
    Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, (m: LeakInputs) => v(m, make(m))]));
  return { [`Tensor.${name}`]: build(method), [name]: build(fn) };
}

export function datadepBuilders(): Record<string, LeakBuilder> {
  const sparse = (m: LeakInputs) => m.i([0, 3, 0, -2, 1, 0], [2, 3]);
  return {
    ...both('nonzero', {
      matrix: (m, call) => call(sparse(m)),
      'as tuple, float': (m, call) => call(m.f([2, 2], { grad: false }), { asTuple: true }),
      bool: (m, call) => call(m.b([1, 0, 1])),
    }),
    ...both('argwhere', { int32: (m, call) => call(sparse(m)) }),
    ...both('unique', {
      plain: (m, call) => call(m.i([3, 1, 3, 2])),
      'inverse and counts': (m, call) => call(m.i([3, 1, 3, 2]), { returnInverse: true, returnCounts: true }),
      'dim, float': (m, call) => call(m.f([3, 2], { grad: false }), { dim: 0, returnCounts: true }),
    }),
    ...both('uniqueConsecutive', {
      plain: (m, call) => call(m.i([1, 1, 2, 1])),
      'inverse and counts, dim': (m, call) => call(sparse(m), { dim: 1, returnInverse: true, returnCounts: true }),
    }),
    ...both('bincount', {
      'read back': (m, call) => call(m.i([0, 2, 2])),
      weights: (m, call) => call(m.i([0, 2, 2]), m.f([3], { grad: false })),
      minlength: (m, call) => call(m.i([0, 2, 2]), { minlength: 5 }),
      'weights, minlength': (m, call) => call(m.i([1, 1]), m.f([2], { grad: false }), 4),
    }),
    ...both('histc', {
      'data range': (m, call) => call(m.f([6], { grad: false }), 4),
      range: (m, call) => call(m.f([2, 3], { grad: false }), { bins: 3, min: 0.2, max: 0.9 }),
      constant: (m, call) => call(m.track(m.api.full([3], 2, { device: m.device })), 2),
    }),
    ...both('multinomial', {
      'with replacement': (m, call) => call(m.f([4], { grad: false }), 6, true),
      'without replacement, rows': (m, call) => call(m.f([2, 4], { grad: false }), 3),
    }),
    'Tensor.bernoulli': {
      probabilities: (m) => m.f([2, 3], { hi: 1 }).bernoulli(),
      p: (m) => m.f([2, 3]).bernoulli(0.3),
      'int32, p': (m) => m.i([1, 2]).bernoulli(0.5),
    },
    bernoulli: {
      mask: (m) => m.api.bernoulli([2, 3], 0.5, m.opts()),
      probabilities: (m) => m.api.bernoulli(m.f([2, 3], { hi: 1 })),
      p: (m) => m.api.bernoulli(m.f([3]), 0.7),
    },
    normal: {
      tensors: (m) => m.api.normal(m.f([2, 1]), m.f([3])),
      'tensor mean': (m) => m.api.normal(m.f([2, 3]), 0.5),
      'tensor std': (m) => m.api.normal(1, m.f([4])),
      size: (m) => m.api.normal(0, 2, [2, 2], m.opts()),
    },
  };
}
