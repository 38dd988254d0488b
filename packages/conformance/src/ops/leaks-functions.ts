/**
 * Leak-sweep builders (see leaks.ts) for the tensor functions composed from existing kernels
 * (core's ops/math.ts, linalg.ts, shape.ts, einsum.ts, creation-like.ts): every method and free
 * function, with variants for the dtype paths and argument forms each takes.
 */
import type { Tensor } from './adapters.js';
import type { LeakBuilder, LeakInputs } from './leaks.js';

/** The same variants as a method ('Tensor.x') and a free function ('x'). */
function both(
  name: string,
  variants: Record<string, (m: LeakInputs, call: (...args: unknown[]) => unknown) => unknown>,
  method = name,
): Record<string, LeakBuilder> {
  const asMethod =
    () =>
    (self: unknown, ...args: unknown[]) =>
      ((self as Record<string, (...a: unknown[]) => unknown>)[method] as (...a: unknown[]) => unknown).apply(
        self,
        args,
      );
  const asFunction =
    (m: LeakInputs) =>
    (...args: unknown[]) =>
      ((m.api as unknown as Record<string, (...a: unknown[]) => unknown>)[name] as (...a: unknown[]) => unknown)(
        ...args,
      );
  const build = (make: (m: LeakInputs) => (...args: unknown[]) => unknown): LeakBuilder =>
    Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, (m: LeakInputs) => v(m, make(m))]));
  return { [`Tensor.${method}`]: build(asMethod), [name]: build(asFunction) };
}

const unaryVariants = {
  float: (m: LeakInputs, call: (...a: unknown[]) => unknown) => call(m.f([2, 3], { lo: -0.9, hi: 0.9 })),
  int32: (m: LeakInputs, call: (...a: unknown[]) => unknown) => call(m.i([1, -2, 3, 0], [2, 2])),
};

function mathBuilders(): Record<string, LeakBuilder> {
  const out: Record<string, LeakBuilder> = {};
  for (const op of ['tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'log2', 'log10', 'trunc']) {
    Object.assign(out, both(op, unaryVariants));
  }
  Object.assign(
    out,
    both('frac', { float: (m, call) => call(m.f([2, 3], { lo: -3, hi: 3 })) }),
    both('atan2', {
      broadcast: (m, call) => call(m.f([2, 3], { lo: -1, hi: 1 }), m.f([3], { lo: -1, hi: 1 })),
      int32: (m, call) => call(m.i([1, -2]), m.i([3, 0])),
    }),
  );
  for (const op of ['remainder', 'fmod']) {
    Object.assign(
      out,
      both(op, {
        tensors: (m, call) => call(m.f([2, 3], { lo: -3, hi: 3 }), m.f([3], { lo: 0.5, hi: 2 })),
        scalar: (m, call) => call(m.f([2, 3], { lo: -3, hi: 3 }), 1.5),
        int32: (m, call) => call(m.i([7, -7, 5, 0]), m.i([3, 3, -2, 4])),
        'int32 scalar': (m, call) => call(m.i([7, -7]), 4),
      }),
    );
  }
  // floorDivide has no derivative (backward through it is PyTorch's error): inputs never require grad.
  Object.assign(
    out,
    both('floorDivide', {
      tensors: (m, call) =>
        call(m.f([2, 3], { lo: -3, hi: 3, grad: false }), m.f([3], { lo: 0.5, hi: 2, grad: false })),
      'by zero': (m, call) => call(m.f([2], { grad: false }), m.f([2], { lo: 0, hi: 0, grad: false })),
      int32: (m, call) => call(m.i([7, -7, 5, 0]), m.i([3, 3, -2, 4])),
    }),
  );
  const special = (m: LeakInputs): Tensor =>
    m.track(m.api.fromArray(new Float32Array([0, Number.NaN, Infinity, -Infinity, 2]), [5], m.opts()));
  for (const op of ['isnan', 'isinf', 'isfinite']) {
    Object.assign(out, both(op, { float: (m, call) => call(special(m)), int32: (m, call) => call(m.i([1, 2])) }));
  }
  Object.assign(
    out,
    both('nanToNum', {
      defaults: (m, call) => call(special(m)),
      values: (m, call) => call(special(m), 1, 2, -3),
      int32: (m, call) => call(m.i([1, 2])),
    }),
    both('clip', { both: (m, call) => call(m.f([2, 3]), 0.3, 0.8), min: (m, call) => call(m.f([2, 3]), 0.5) }),
    both('lerp', {
      'scalar weight': (m, call) => call(m.f([2, 3]), m.f([3]), 0.3),
      'scalar weight above 0.5': (m, call) => call(m.f([2, 3]), m.f([3]), 0.8),
      'tensor weight': (m, call) => call(m.f([2, 3]), m.f([2, 3]), m.f([2, 1])),
    }),
    both('addcmul', {
      plain: (m, call) => call(m.f([2, 3]), m.f([2, 3]), m.f([3])),
      value: (m, call) => call(m.f([3]), m.f([2, 3]), m.f([2, 1]), { value: 0.5 }),
    }),
    both('addcdiv', {
      plain: (m, call) => call(m.f([2, 3]), m.f([2, 3]), m.f([3])),
      value: (m, call) => call(m.f([3]), m.f([2, 3]), m.f([2, 1]), { value: -2 }),
    }),
    both('logicalOr', {
      bool: (m, call) => call(m.b([1, 0, 1]), m.b([0, 0, 1])),
      'float, int32': (m, call) => call(m.f([2, 3]), m.i([0, 1, 0])),
    }),
    both('logicalXor', {
      bool: (m, call) => call(m.b([1, 0, 1]), m.b([0, 0, 1])),
      'float, int32': (m, call) => call(m.f([2, 3]), m.i([0, 1, 0])),
    }),
    both('isclose', {
      float: (m, call) => call(m.f([2, 3]), m.f([3])),
      'equal NaN': (m, call) => call(special(m), special(m), { equalNan: true }),
      int32: (m, call) => call(m.i([1, 2]), m.i([1, 3]), { atol: 1 }),
    }),
    both('allclose', {
      float: (m, call) => call(m.f([2, 3]), m.f([2, 3])),
      int32: (m, call) => call(m.i([1, 2]), m.i([1, 2])),
    }),
    both('equal', {
      same: (m, call) => call(m.f([2, 3]), m.f([2, 3])),
      'other shape': (m, call) => call(m.f([2, 3]), m.f([3])),
      'int32 and float': (m, call) => call(m.i([1, 2]), m.f([2])),
    }),
  );
  // (the free logicalAnd has its builder in leaks.ts)
  out['Tensor.logicalAnd'] = { bool: (m) => m.b([1, 0, 1]).logicalAnd(m.b([1, 1, 0])) };
  return out;
}

function linalgBuilders(): Record<string, LeakBuilder> {
  return {
    mm: { new: (m) => m.api.mm(m.f([2, 3]), m.f([3, 4])) },
    bmm: { new: (m) => m.api.bmm(m.f([2, 2, 3]), m.f([2, 3, 2])) },
    ...both('mv', { new: (m, call) => call(m.f([2, 3]), m.f([3])) }),
    ...both('dot', {
      float: (m, call) => call(m.f([3]), m.f([3])),
      int32: (m, call) => call(m.i([1, 2]), m.i([3, 4])),
    }),
    ...both('outer', { float: (m, call) => call(m.f([3]), m.f([2])), int32: (m, call) => call(m.i([1, 2]), m.i([3])) }),
    ...both('addmm', {
      plain: (m, call) => call(m.f([2, 4]), m.f([2, 3]), m.f([3, 4])),
      'broadcast, beta, alpha': (m, call) => call(m.f([4]), m.f([2, 3]), m.f([3, 4]), { beta: 0.5, alpha: 2 }),
      'beta 0': (m, call) => call(m.f([2, 1]), m.f([2, 3]), m.f([3, 4]), { beta: 0 }),
    }),
    ...both('cross', {
      'default dim': (m, call) => call(m.f([3, 2]), m.f([3, 2])),
      'dim, broadcast': (m, call) => call(m.f([1, 3]), m.f([2, 3]), -1),
    }),
    cdist: Object.fromEntries(
      [2, 1, 3, 0, Infinity].map((p) => [`p=${p}`, (m: LeakInputs) => m.api.cdist(m.f([2, 3, 2]), m.f([1, 2, 2]), p)]),
    ),
    ...both('trace', { float: (m, call) => call(m.f([3, 3])), int32: (m, call) => call(m.i([1, 2, 3, 4], [2, 2])) }),
    ...both('diag', {
      'vector, above': (m, call) => call(m.f([3]), 1),
      'vector, below': (m, call) => call(m.f([3]), -2),
      vector: (m, call) => call(m.f([3])),
      matrix: (m, call) => call(m.f([3, 4]), -1),
    }),
    ...both('diagonal', { dims: (m, call) => call(m.f([2, 3, 4]), 1, 2, 0), plain: (m, call) => call(m.f([3, 3])) }),
    ...both('tril', {
      float: (m, call) => call(m.f([2, 3, 4]), -1),
      bool: (m, call) => call(m.b([1, 1, 1, 1], [2, 2])),
    }),
    ...both('triu', { float: (m, call) => call(m.f([3, 4]), 1), int32: (m, call) => call(m.i([1, 2, 3, 4], [2, 2])) }),
  };
}

function shapeBuilders(): Record<string, LeakBuilder> {
  return {
    flip: { dims: (m) => m.api.flip(m.f([2, 3, 4]), [0, -1]), none: (m) => m.api.flip(m.f([2, 3]), []) },
    'Tensor.flip': { varargs: (m) => m.f([2, 3]).flip(1, 0), list: (m) => m.f([2, 3]).flip([1]) },
    ...both('roll', {
      dim: (m, call) => call(m.f([2, 3]), 1, 1),
      dims: (m, call) => call(m.f([2, 3]), [-1, 4], [0, 1]),
      flattened: (m, call) => call(m.f([2, 3]), 2),
    }),
    hstack: { '2-d': (m) => m.api.hstack([m.f([2, 3]), m.f([2, 1])]), '0-d': (m) => m.api.hstack([m.f([]), m.f([2])]) },
    vstack: { '1-d': (m) => m.api.vstack([m.f([3]), m.f([2, 3])]) },
    tile: { pad: (m) => m.api.tile(m.f([2, 3]), [2]), new: (m) => m.api.tile(m.f([3]), [2, 2]) },
    'Tensor.tile': { varargs: (m) => m.f([2, 3]).tile(2, 1) },
    ...both('repeatInterleave', {
      flattened: (m, call) => call(m.f([2, 3]), 2),
      dim: (m, call) => call(m.f([2, 3]), 3, -1),
      list: (m, call) => call(m.f([3, 2]), [1, 0, 2], 0),
      tensor: (m, call) => call(m.f([3, 2]), m.i([2, 1, 0]), 0),
      '0-d': (m, call) => call(m.f([]), 3),
    }),
    meshgrid: {
      ij: (m) => m.api.meshgrid(m.f([2]), m.f([3])),
      xy: (m) => m.api.meshgrid([m.f([2]), m.f([3]), m.f([])], { indexing: 'xy' }),
    },
    broadcastTo: { new: (m) => m.api.broadcastTo(m.f([3, 1]), [2, 3, 4]) },
    'Tensor.broadcastTo': { varargs: (m) => m.f([1, 3]).broadcastTo(2, -1) },
    ...both('movedim', {
      int: (m, call) => call(m.f([2, 3, 4]), 0, -1),
      lists: (m, call) => call(m.f([2, 3, 4]), [0, 1], [2, 0]),
    }),
    ...both('moveaxis', { int: (m, call) => call(m.f([2, 3, 4]), -1, 0) }),
    t: { '2-d': (m) => m.api.t(m.f([2, 3])), '1-d': (m) => m.api.t(m.f([3])) },
    max: {
      all: (m) => m.api.max(m.f([2, 3])),
      dim: (m) => m.api.max(m.f([2, 3]), 1),
      'dim, keepdim': (m) => m.api.max(m.f([2, 3]), 0, true),
      other: (m) => m.api.max(m.f([2, 3]), m.f([3])),
    },
    min: {
      all: (m) => m.api.min(m.f([2, 3])),
      dim: (m) => m.api.min(m.f([2, 3]), -1),
      other: (m) => m.api.min(m.f([2, 3]), m.f([2, 1])),
    },
    einsum: {
      matmul: (m) => m.api.einsum('ij,jk->ik', m.f([2, 3]), m.f([3, 2])),
      batched: (m) => m.api.einsum('bij,bjk->bik', [m.f([2, 2, 3]), m.f([2, 3, 2])]),
      diagonal: (m) => m.api.einsum('ii->i', m.f([3, 3])),
      trace: (m) => m.api.einsum('ii', m.f([3, 3])),
      'ellipsis broadcast': (m) => m.api.einsum('...ij,...jk->...ik', m.f([2, 1, 2, 3]), m.f([3, 3, 2])),
      'three operands': (m) => m.api.einsum('ij,jk,kl->il', m.f([2, 3]), m.f([3, 2]), m.f([2, 2])),
      int32: (m) => m.api.einsum('i,j->ij', m.i([1, 2]), m.i([3, 4, 5])),
    },
  };
}

function creationLikeBuilders(): Record<string, LeakBuilder> {
  const self = (m: LeakInputs) => m.f([2, 3]);
  const inPlace = (call: (x: Tensor, m: LeakInputs) => unknown): LeakBuilder => ({
    // self never requires grad (an in-place op on such a leaf is an error, as in PyTorch)
    float: (m) => call(m.f([2, 3], { grad: false }), m),
    'on a non-leaf': (m) => call(m.track(m.f([2, 3]).mul(2)), m),
  });
  return {
    'Tensor.long': { float: (m) => m.f([2, 3], { lo: -3e9, hi: 3e9 }).long(), int32: (m) => m.i([1, 2]).long() },
    'Tensor.double': { int32: (m) => m.i([1, 2]).double() },
    'Tensor.typeAs': { 'to int32': (m) => m.f([2]).typeAs(m.i([1])), same: (m) => m.f([2]).typeAs(m.f([1])) },
    'Tensor.type': { 'to float32': (m) => m.i([2]).type('float32'), name: (m) => m.f([2]).type('torch.LongTensor') },
    'Tensor.newZeros': {
      varargs: (m) => self(m).newZeros(2, 2),
      options: (m) => self(m).newZeros([3], { dtype: 'int64' }),
    },
    'Tensor.newOnes': { new: (m) => self(m).newOnes([2, 2], { requiresGrad: m.grad }) },
    'Tensor.newEmpty': { new: (m) => self(m).newEmpty(4) },
    'Tensor.newFull': { new: (m) => m.i([1]).newFull([2], 1.5) },
    'Tensor.newTensor': {
      nested: (m) => self(m).newTensor([[1, 2]]),
      'from a tensor': (m) => m.i([1]).newTensor(m.f([2, 3]), { dtype: 'float32' }),
    },
    'Tensor.pow_': {
      ...inPlace((x) => x.pow_(2)),
      tensor: (m) => m.f([2, 3], { grad: false }).pow_(m.f([3], { grad: false })),
    },
    'Tensor.exp_': inPlace((x) => x.exp_()),
    'Tensor.sqrt_': inPlace((x) => x.sqrt_()),
    'Tensor.neg_': inPlace((x) => x.neg_()),
    'Tensor.abs_': inPlace((x) => x.abs_()),
    'Tensor.relu_': inPlace((x) => x.relu_()),
    'Tensor.sigmoid_': inPlace((x) => x.sigmoid_()),
    'Tensor.clip_': inPlace((x) => x.clip_(0.3, 0.8)),
    'Tensor.uniform_': { new: (m) => m.f([2, 3], { grad: false }).uniform_(-1, 1) },
    'Tensor.normal_': { new: (m) => m.f([2, 3], { grad: false }).normal_(0.5, 2) },
    'Tensor.bernoulli_': {
      scalar: (m) => m.f([2, 3], { grad: false }).bernoulli_(0.3),
      tensor: (m) => m.i([0, 0, 0]).bernoulli_(m.f([3], { grad: false })),
    },
  };
}

/** Builders for every public op of the composed tensor functions (spread into LEAK_BUILDERS). */
export function functionsBuilders(): Record<string, LeakBuilder> {
  return { ...mathBuilders(), ...linalgBuilders(), ...shapeBuilders(), ...creationLikeBuilders() };
}
