/**
 * The leak sweep (issue 9, DESIGN.md §3b): every public op of @flint/core is called OUTSIDE
 * tidy(), its results (and every input it was given) are disposed, and `memory()` must be back at
 * its starting value — core's live storages and bytes and the backend's own handles and bytes.
 * The other op-level cases run inside tidy(), which frees an op's forgotten temporaries and so
 * cannot see them.
 *
 * What counts as a public op is enumerated at run time, so a new op is swept (or fails for want of
 * a builder) without anyone remembering to add it here: every member of Tensor.prototype, every
 * function exported by @flint/core, and every function of nn.functional, nn.init and nn.utils.
 * Members that make no tensor (metadata, readback, memory management, registry, file I/O) are
 * listed in NOT_OPS with the reason; `_`-prefixed Tensor members are internal. Every other name
 * needs an entry in LEAK_BUILDERS (one or more named variants that build inputs and call the op),
 * and a builder naming something core does not export is an error too.
 *
 * Each variant runs three passes:
 * - plain: inputs without gradients;
 * - graph: float inputs require grad, the results are disposed without backward (the graph the op
 *   recorded must free what it saved once nothing can reach it);
 * - backward: float inputs require grad, sum(every float output that requires grad).backward(),
 *   then the results, the inputs and their .grad are disposed.
 * A pass is synchronous from its first allocation to its last check, so no FinalizationRegistry
 * callback (the safety net for dropped tensors) can run in between and hide a leak.
 */
import type { FlintApi, Tensor } from './adapters.js';
import { Rng } from '../reference/random.js';
import { functionsBuilders } from './leaks-functions.js';
import { convpoolBuilders } from './leaks-convpool.js';
import { sortingBuilders } from './leaks-sorting.js';
import { datadepBuilders } from './leaks-datadep.js';
import { nnextraBuilders } from './leaks-nnextra.js';
import { transformerBuilders } from './leaks-transformer.js';
import { indexingBuilders } from './leaks-indexing.js';

export type LeakPass = 'plain' | 'graph' | 'backward';
export const LEAK_PASSES: readonly LeakPass[] = ['plain', 'graph', 'backward'];

/** What a builder uses to make inputs; every tensor made here is disposed by the sweep. */
export interface LeakInputs {
  readonly api: FlintApi;
  readonly device: string;
  /** True in the graph and backward passes. */
  readonly grad: boolean;
  /** float32 values in [lo, hi) (default [0.1, 1.1)); requires grad in the gradient passes unless grad: false. */
  f(shape: readonly number[], options?: { lo?: number; hi?: number; grad?: boolean }): Tensor;
  /** int32 from values (shape defaults to [values.length]). */
  i(values: readonly number[], shape?: readonly number[]): Tensor;
  /** bool from 0/1 values (shape defaults to [values.length]). */
  b(values: readonly number[], shape?: readonly number[]): Tensor;
  /** Creation options for a float tensor on the device under test (requiresGrad in the gradient passes). */
  opts(): { device: string; requiresGrad: boolean };
  /** Registers a tensor the op did not return but the sweep must dispose (e.g. a .grad set by hand). */
  track<T extends Tensor>(t: T): T;
}

export type LeakVariant = (m: LeakInputs) => unknown;
export type LeakBuilder = Readonly<Record<string, LeakVariant>>;

/** Public names that make no tensor of their own, with the reason they are not swept. */
export const NOT_OPS: Readonly<Record<string, string>> = {
  'Tensor.constructor': 'internal: tensors come from the creation functions',
  'Tensor.gradFn': 'metadata',
  'Tensor.backend': 'metadata',
  'Tensor.device': 'metadata',
  'Tensor.ndim': 'metadata',
  'Tensor.dim': 'metadata',
  'Tensor.numel': 'metadata',
  'Tensor.size': 'metadata',
  'Tensor.isLeaf': 'metadata',
  'Tensor.isDisposed': 'metadata',
  'Tensor.ref': 'internal: what kernels see',
  'Tensor.checkInPlace': 'internal (private) guard of the in-place methods',
  'Tensor.dispose': 'memory management: the sweep calls it on every result',
  'Tensor.keep': 'memory management (tidy scopes)',
  'Tensor.data': 'readback',
  'Tensor.dataSync': 'readback',
  'Tensor.item': 'readback',
  'Tensor.tolist': 'readback',
  'Tensor.array': 'readback',
  'Tensor.toString': 'readback (printing)',
  'Tensor.backward': 'run by the backward pass of every variant',
  registerBackend: 'backend registry',
  removeBackend: 'backend registry',
  initBackends: 'backend registry',
  getBackend: 'backend registry',
  setBackend: 'backend registry',
  listBackends: 'backend registry',
  hasBackend: 'backend registry',
  autoloadReport: 'backend registry',
  ready: 'backend registry (awaits backend init, makes no tensor)',
  Tensor: 'the class (its members are swept as Tensor.*)',
  Generator: 'host-side random generator class',
  SafetensorsError: 'error class',
  tidy: 'memory management',
  keep: 'memory management',
  memory: 'memory accounting (what the sweep reads)',
  noGrad: 'grad mode',
  enableGrad: 'grad mode',
  isGradEnabled: 'grad mode',
  setGradEnabled: 'grad mode',
  inferenceMode: 'grad mode',
  isInferenceModeEnabled: 'grad mode',
  'Tensor.isInference': 'metadata',
  manualSeed: 'host-side generator state',
  initialSeed: 'host-side generator state',
  isTensor: 'type test',
  deserializeMetadata: 'reads a header, makes no tensor',
  save: 'file I/O around serializeAsync (swept)',
  saveSync: 'file I/O around serialize (swept)',
  load: 'file I/O around deserialize (swept)',
  loadAsync: 'file I/O around deserialize (swept)',
  loadMetadata: 'file I/O, makes no tensor',
  saveCheckpoint: 'file I/O around save (swept through serializeAsync)',
  saveCheckpointSync: 'file I/O around saveSync (swept through serialize)',
  loadCheckpoint: 'file I/O around deserialize (swept); disposes what it read on an error',
  disposeCheckpoint: 'memory management',
  setOpTracer: 'installs a tracing hook (ONNX export); makes no tensor',
  'init.calculateGain': 'arithmetic on numbers',
  'init.calculateFanInAndFanOut': 'reads a shape',
};

// ------------------------------------------------------------------ builders

const UNARY = [
  'neg',
  'abs',
  'sign',
  'exp',
  'log',
  'sqrt',
  'rsqrt',
  'reciprocal',
  'square',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'erf',
  'floor',
  'ceil',
  'round',
  'log1p',
  'expm1',
] as const;
const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
const COMPARE = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
const IN_PLACE_BINARY = ['add_', 'sub_', 'mul_', 'div_'] as const;

function unaryBuilders(): Record<string, LeakBuilder> {
  const out: Record<string, LeakBuilder> = {};
  for (const op of UNARY) {
    const variants = (call: (m: LeakInputs, x: Tensor) => Tensor): LeakBuilder => ({
      float: (m) => call(m, m.f([2, 3])),
      int32: (m) => call(m, m.i([1, -2, 3, 0], [2, 2])),
      // PyTorch refuses -bool (errors are checked in core's src/ops/sweep.test.ts)
      ...(op === 'neg' ? {} : { bool: (m: LeakInputs) => call(m, m.b([1, 0, 1])) }),
    });
    out[`Tensor.${op}`] = variants((_m, x) => x[op]());
    out[op] = variants((m, x) => m.api[op](x));
  }
  return out;
}

function binaryBuilders(): Record<string, LeakBuilder> {
  const out: Record<string, LeakBuilder> = {};
  for (const op of BINARY) {
    const variants = (call: (m: LeakInputs, a: Tensor, b: Tensor | number) => Tensor): LeakBuilder => ({
      'same shape': (m) => call(m, m.f([2, 3]), m.f([2, 3])),
      broadcast: (m) => call(m, m.f([2, 1, 3]), m.f([4, 1])),
      'scalar 2': (m) => call(m, m.f([2, 3]), 2),
      'scalar 0.5': (m) => call(m, m.f([2, 3]), 0.5),
      'int32 with float32': (m) => call(m, m.i([1, 2, 3]), m.f([2, 3])),
      'int32 with int32': (m) => call(m, m.i([1, 2, 3]), m.i([2, 1, 1])),
      // PyTorch refuses a bool operand of sub
      ...(op === 'sub' ? {} : { 'bool with scalar': (m: LeakInputs) => call(m, m.b([1, 0, 1]), 3) }),
    });
    out[`Tensor.${op}`] = variants((_m, a, b) => a[op](b));
    out[op] = {
      ...variants((m, a, b) => m.api[op](a, b)),
      'scalar first': (m) => m.api[op](2, m.f([2, 3])),
    };
  }
  for (const op of ['add', 'sub'] as const) {
    out[`Tensor.${op}`] = {
      ...out[`Tensor.${op}`],
      alpha: (m) => m.f([2, 3])[op](m.f([3]), 2),
      'alpha, scalar': (m) => m.f([2, 3])[op](1.5, 2),
    };
    out[op] = { ...out[op], alpha: (m) => m.api[op](m.f([2, 3]), m.f([3]), 2) };
  }
  out['Tensor.div'] = {
    ...out['Tensor.div'],
    'rounding trunc': (m) => m.f([2, 3]).div(m.f([3]), { roundingMode: 'trunc' }),
    'rounding floor, int32': (m) => m.i([5, -5]).div(2, { roundingMode: 'floor' }),
  };
  out.div = { ...out.div, 'rounding floor': (m) => m.api.div(m.f([2, 3]), 2, { roundingMode: 'floor' }) };
  out['Tensor.pow'] = { ...out['Tensor.pow'], 'scalar 3': (m) => m.f([2, 3]).pow(3) };
  out.pow = { ...out.pow, 'scalar 3': (m) => m.api.pow(m.f([2, 3]), 3) };
  return out;
}

function compareBuilders(): Record<string, LeakBuilder> {
  const out: Record<string, LeakBuilder> = {};
  for (const op of COMPARE) {
    const variants = (call: (m: LeakInputs, a: Tensor, b: Tensor | number) => Tensor): LeakBuilder => ({
      'same shape': (m) => call(m, m.f([2, 3]), m.f([2, 3])),
      broadcast: (m) => call(m, m.f([2, 1, 3]), m.f([4, 1])),
      scalar: (m) => call(m, m.f([2, 3]), 0.5),
      'int32 with float32': (m) => call(m, m.i([1, 2, 3]), m.f([2, 3])),
      'bool with bool': (m) => call(m, m.b([1, 0, 1]), m.b([1, 1, 0])),
    });
    out[`Tensor.${op}`] = variants((_m, a, b) => a[op](b));
    out[op] = variants((m, a, b) => m.api[op](a, b));
  }
  return out;
}

function inPlaceBuilders(): Record<string, LeakBuilder> {
  const out: Record<string, LeakBuilder> = {};
  for (const op of IN_PLACE_BINARY) {
    out[`Tensor.${op}`] = {
      // self never requires grad (an in-place op on such a leaf is an error, as in PyTorch)
      tensor: (m) => m.f([2, 3], { grad: false })[op](m.f([2, 3])),
      broadcast: (m) => m.f([2, 3], { grad: false })[op](m.f([3])),
      scalar: (m) => m.f([2, 3], { grad: false })[op](2),
      'on a view': (m) => {
        const base = m.f([2, 3], { grad: false });
        const view = m.track(base.reshape([6]));
        return view[op](m.f([6]));
      },
    };
  }
  out['Tensor.add_'] = { ...out['Tensor.add_'], alpha: (m) => m.f([2, 3], { grad: false }).add_(m.f([3]), 2) };
  out['Tensor.sub_'] = { ...out['Tensor.sub_'], alpha: (m) => m.f([2, 3], { grad: false }).sub_(m.f([3]), 2) };
  out['Tensor.div_'] = {
    ...out['Tensor.div_'],
    rounding: (m) => m.f([2, 3], { grad: false }).div_(m.f([3]), { roundingMode: 'trunc' }),
  };
  return out;
}

const reductionVariants = (
  call: (m: LeakInputs, x: Tensor, dim: number | number[] | null, keepdim: boolean) => Tensor,
): LeakBuilder => ({
  all: (m) => call(m, m.f([2, 3, 4]), null, false),
  dim: (m) => call(m, m.f([2, 3, 4]), 1, false),
  'dims, keepdim': (m) => call(m, m.f([2, 3, 4]), [0, -1], true),
});

function reductionBuilders(): Record<string, LeakBuilder> {
  const m2: Record<string, LeakBuilder> = {
    'Tensor.sum': {
      ...reductionVariants((_m, x, d, k) => x.sum(d, k)),
      bool: (m) => m.b([1, 0, 1]).sum(),
      int32: (m) => m.i([1, 2, 3]).sum(0),
      empty: (m) => m.f([0, 3]).sum(0),
    },
    sum: { ...reductionVariants((m, x, d, k) => m.api.sum(x, d, k)), bool: (m) => m.api.sum(m.b([1, 0, 1])) },
    'Tensor.mean': reductionVariants((_m, x, d, k) => x.mean(d, k)),
    mean: reductionVariants((m, x, d, k) => m.api.mean(x, d, k)),
    'Tensor.amax': { ...reductionVariants((_m, x, d, k) => x.amax(d, k)), bool: (m) => m.b([1, 0, 1]).amax() },
    amax: { ...reductionVariants((m, x, d, k) => m.api.amax(x, d, k)), bool: (m) => m.api.amax(m.b([1, 0])) },
    'Tensor.amin': { ...reductionVariants((_m, x, d, k) => x.amin(d, k)), bool: (m) => m.b([1, 0, 1]).amin() },
    amin: { ...reductionVariants((m, x, d, k) => m.api.amin(x, d, k)), bool: (m) => m.api.amin(m.b([1, 0])) },
    'Tensor.var': {
      ...reductionVariants((_m, x, d, k) => x.var(d, { keepdim: k })),
      'correction 0': (m) => m.f([2, 3]).var(1, { correction: 0 }),
    },
    variance: reductionVariants((m, x, d, k) => m.api.variance(x, d, { keepdim: k })),
    var_: reductionVariants((m, x, d, k) => m.api.var_(x, d, { keepdim: k })),
    'Tensor.std': {
      ...reductionVariants((_m, x, d, k) => x.std(d, { keepdim: k })),
      unbiased: (m) => m.f([2, 3]).std(null, { unbiased: false }),
    },
    std: reductionVariants((m, x, d, k) => m.api.std(x, d, { keepdim: k })),
  };
  const prod = (call: (m: LeakInputs, x: Tensor, d: number | null, k: boolean) => Tensor): LeakBuilder => ({
    all: (m) => call(m, m.f([2, 3]), null, false),
    'dim, keepdim': (m) => call(m, m.f([2, 3]), 1, true),
    'with a zero': (m) => call(m, m.track(m.api.fromArray(new Float32Array([1, 0, 2, 3]), [2, 2], m.opts())), 0, false),
    bool: (m) => call(m, m.b([1, 1, 0]), null, false),
  });
  m2['Tensor.prod'] = prod((_m, x, d, k) => x.prod(d, k));
  m2.prod = prod((m, x, d, k) => m.api.prod(x, d, k));
  for (const op of ['argmax', 'argmin'] as const) {
    const v = (call: (m: LeakInputs, x: Tensor, d: number | null, k: boolean) => Tensor): LeakBuilder => ({
      all: (m) => call(m, m.f([2, 3]), null, false),
      'all, keepdim': (m) => call(m, m.f([2, 3]), null, true),
      dim: (m) => call(m, m.f([2, 3]), -1, false),
    });
    m2[`Tensor.${op}`] = v((_m, x, d, k) => x[op](d, k));
    m2[op] = v((m, x, d, k) => m.api[op](x, d, k));
  }
  for (const op of ['max', 'min'] as const) {
    m2[`Tensor.${op}`] = {
      all: (m) => m.f([2, 3])[op](),
      dim: (m) => m.f([2, 3])[op](1),
      'dim, keepdim': (m) => m.f([2, 3])[op](0, true),
    };
  }
  const lse = (call: (m: LeakInputs, x: Tensor, d: number | number[], k: boolean) => Tensor): LeakBuilder => ({
    dim: (m) => call(m, m.f([2, 3]), 1, false),
    'dims, keepdim': (m) => call(m, m.f([2, 3, 2]), [0, 2], true),
  });
  m2['Tensor.logsumexp'] = lse((_m, x, d, k) => x.logsumexp(d, k));
  m2.logsumexp = lse((m, x, d, k) => m.api.logsumexp(x, d, k));
  for (const op of ['softmax', 'logSoftmax'] as const) {
    m2[`Tensor.${op}`] = { last: (m) => m.f([2, 3])[op](-1), first: (m) => m.f([2, 3])[op](0) };
    m2[op] = { last: (m) => m.api[op](m.f([2, 3]), -1) };
  }
  const norms = (call: (m: LeakInputs, x: Tensor, p: number, d: number | null, k: boolean) => Tensor): LeakBuilder =>
    Object.fromEntries(
      [2, 1, 3, 0.5, 0, Infinity, -Infinity].map((p): [string, LeakVariant] => [
        `p=${p}`,
        (m) => call(m, m.f([2, 3]), p, p === 3 ? 1 : null, p === 1),
      ]),
    );
  m2['Tensor.norm'] = norms((_m, x, p, d, k) => x.norm(p, d, k));
  m2.norm = norms((m, x, p, d, k) => m.api.norm(x, p, d, k));
  m2['Tensor.all'] = { float: (m) => m.f([2, 3]).all(), bool: (m) => m.b([1, 0]).all() };
  m2['Tensor.any'] = { float: (m) => m.f([2, 3]).any(), bool: (m) => m.b([1, 0]).any() };
  return m2;
}

function layoutBuilders(): Record<string, LeakBuilder> {
  return {
    'Tensor.reshape': {
      new: (m) => m.f([2, 3]).reshape([3, 2]),
      inferred: (m) => m.f([2, 3]).reshape(-1),
      same: (m) => m.f([2, 3]).reshape(2, 3),
    },
    reshape: { new: (m) => m.api.reshape(m.f([2, 3]), [6]) },
    'Tensor.view': { new: (m) => m.f([2, 3]).view(6) },
    'Tensor.viewAs': { new: (m) => m.f([2, 3]).viewAs(m.f([3, 2])) },
    'Tensor.flatten': {
      all: (m) => m.f([2, 3, 2]).flatten(),
      range: (m) => m.f([2, 3, 2]).flatten(1),
      '0-d': (m) => m.f([]).flatten(),
    },
    flatten: { all: (m) => m.api.flatten(m.f([2, 3])) },
    'Tensor.unflatten': { new: (m) => m.f([2, 6]).unflatten(1, [2, -1]) },
    'Tensor.squeeze': { all: (m) => m.f([2, 1, 3]).squeeze(), dim: (m) => m.f([2, 1, 3]).squeeze(1) },
    squeeze: { dim: (m) => m.api.squeeze(m.f([1, 3]), 0) },
    'Tensor.unsqueeze': { new: (m) => m.f([2, 3]).unsqueeze(-1) },
    unsqueeze: { new: (m) => m.api.unsqueeze(m.f([2, 3]), 0) },
    'Tensor.transpose': { '2-d': (m) => m.f([2, 3]).transpose(0, 1), '0-d': (m) => m.f([]).transpose(0, 0) },
    transpose: { '3-d': (m) => m.api.transpose(m.f([2, 3, 4]), 0, 2) },
    'Tensor.t': { '2-d': (m) => m.f([2, 3]).t(), '1-d': (m) => m.f([3]).t() },
    'Tensor.T': { '3-d': (m) => m.f([2, 3, 4]).T },
    'Tensor.mT': { '3-d': (m) => m.f([2, 3, 4]).mT },
    'Tensor.permute': { real: (m) => m.f([2, 3, 4]).permute(2, 0, 1), identity: (m) => m.f([2, 3]).permute([0, 1]) },
    permute: { real: (m) => m.api.permute(m.f([2, 3]), [1, 0]) },
    'Tensor.expand': { real: (m) => m.f([3, 1]).expand(2, 3, 4), same: (m) => m.f([2, 3]).expand(-1, 3) },
    'Tensor.expandAs': { real: (m) => m.f([1, 3]).expandAs(m.f([2, 3])) },
    'Tensor.repeat': { new: (m) => m.f([2, 3]).repeat(2, 1, 2) },
    'Tensor.split': { size: (m) => m.f([5, 2]).split(2), sections: (m) => m.f([2, 5]).split([1, 4], 1) },
    split: { size: (m) => m.api.split(m.f([5, 2]), 2) },
    'Tensor.chunk': { new: (m) => m.f([5, 2]).chunk(3) },
    chunk: { new: (m) => m.api.chunk(m.f([5, 2]), 2) },
    'Tensor.unbind': { new: (m) => m.f([3, 2]).unbind(1) },
    unbind: { new: (m) => m.api.unbind(m.f([3, 2])) },
    'Tensor.narrow': { new: (m) => m.f([4, 3]).narrow(0, 1, 2) },
    'Tensor.slice': {
      step1: (m) => m.f([4, 3]).slice(0, 1, 3),
      step2: (m) => m.f([5, 3]).slice(0, null, null, 2),
      full: (m) => m.f([4, 3]).slice(1),
    },
    'Tensor.select': { new: (m) => m.f([4, 3]).select(1, -1) },
    'Tensor.index': {
      number: (m) => m.f([4, 3]).index(1),
      mixed: (m) => m.f([4, 3, 2]).index(null, [0, 2], 1),
      tensor: (m) => m.f([4, 3]).index(m.i([3, 0, 3])),
      none: (m) => m.f([4, 3]).index(null),
      pairs: (m) => m.f([4, 3]).index(m.i([0, 3, 3]), m.i([2, 0, 0])),
      'broadcast, separated by a slice': (m) => m.f([3, 4, 2]).index(m.i([2, 0], [2, 1]), [1, 3], m.i([1, 0, 1])),
      'number and tensor, out of range': (m) => m.f([3, 4, 2]).index(1, null, m.i([1, 5, -1])),
      int32: (m) => m.i([1, 2, 3, 4], [2, 2]).index(m.i([1, 0]), m.i([0, 0])),
      'ellipsis, newaxis': (m) => m.f([2, 3, 4]).index('...', 'newaxis', [1, 3]),
    },
    'Tensor.gather': { new: (m) => m.f([2, 3]).gather(1, m.i([0, 2, 1, 1], [2, 2])) },
    gather: { new: (m) => m.api.gather(m.f([2, 3]), 0, m.i([1, 0, 1], [1, 3])) },
    'Tensor.scatterAdd': {
      'index-shaped src': (m) => m.f([2, 3]).scatterAdd(1, m.i([0, 2, 1, 1], [2, 2]), m.f([2, 2])),
      'larger src': (m) => m.f([2, 3]).scatterAdd(1, m.i([0, 2], [2, 1]), m.f([2, 3])),
    },
    scatterAdd: { new: (m) => m.api.scatterAdd(m.f([2, 3]), 0, m.i([1, 0, 1], [1, 3]), m.f([2, 3])) },
    'Tensor.indexSelect': {
      vector: (m) => m.f([4, 3]).indexSelect(0, m.i([3, 1, 3])),
      '0-d index': (m) => m.f([4, 3]).indexSelect(1, m.track(m.api.tensor(2, { dtype: 'int32', device: m.device }))),
    },
    indexSelect: { vector: (m) => m.api.indexSelect(m.f([4, 3]), 1, m.i([0, 2])) },
    cat: {
      two: (m) => m.api.cat([m.f([2, 3]), m.f([1, 3])]),
      'skips 1-d empty': (m) => m.api.cat([m.f([0]), m.f([2, 3]), m.f([2, 3])], 1),
      'all empty': (m) => m.api.cat([m.f([0]), m.f([0])]),
    },
    concat: { two: (m) => m.api.concat([m.f([2, 3]), m.f([2, 1])], -1) },
    stack: { two: (m) => m.api.stack([m.f([2, 3]), m.f([2, 3])], 1) },
  };
}

function linalgBuilders(): Record<string, LeakBuilder> {
  const mm = (call: (m: LeakInputs, a: Tensor, b: Tensor) => Tensor): LeakBuilder => ({
    '2-d': (m) => call(m, m.f([2, 3]), m.f([3, 4])),
    '1-d @ 1-d': (m) => call(m, m.f([3]), m.f([3])),
    '1-d @ 2-d': (m) => call(m, m.f([3]), m.f([3, 2])),
    '2-d @ 1-d': (m) => call(m, m.f([2, 3]), m.f([3])),
    'batch broadcast': (m) => call(m, m.f([2, 1, 2, 3]), m.f([3, 3, 2])),
  });
  return {
    'Tensor.matmul': mm((_m, a, b) => a.matmul(b)),
    matmul: mm((m, a, b) => m.api.matmul(a, b)),
    'Tensor.mm': { new: (m) => m.f([2, 3]).mm(m.f([3, 2])) },
    'Tensor.bmm': { new: (m) => m.f([2, 2, 3]).bmm(m.f([2, 3, 2])) },
  };
}

function miscBuilders(): Record<string, LeakBuilder> {
  const where = (call: (m: LeakInputs, c: Tensor, a: Tensor | number, b: Tensor | number) => Tensor) => ({
    tensors: (m: LeakInputs) => call(m, m.b([1, 0, 1]), m.f([2, 3]), m.f([3])),
    scalars: (m: LeakInputs) => call(m, m.b([1, 0, 1]), 1, 0),
    'tensor and scalar': (m: LeakInputs) => call(m, m.b([1, 0, 1]), m.f([2, 3]), 0),
    'float condition': (m: LeakInputs) => call(m, m.f([3], { grad: false }), m.f([3]), m.f([3])),
  });
  const clamp = (call: (m: LeakInputs, x: Tensor, lo: number | null, hi: number | null) => Tensor): LeakBuilder => ({
    both: (m) => call(m, m.f([2, 3]), 0.3, 0.8),
    min: (m) => call(m, m.f([2, 3]), 0.5, null),
    max: (m) => call(m, m.f([2, 3]), null, 0.5),
  });
  return {
    where: where((m, c, a, b) => m.api.where(c, a, b)),
    'Tensor.clamp': clamp((_m, x, lo, hi) => x.clamp(lo, hi)),
    clamp: clamp((m, x, lo, hi) => m.api.clamp(x, lo, hi)),
    'Tensor.clamp_': { both: (m) => m.f([2, 3], { grad: false }).clamp_(0.3, 0.8) },
    'Tensor.logicalNot': { float: (m) => m.f([2, 3]).logicalNot(), bool: (m) => m.b([1, 0]).logicalNot() },
    logicalNot: { bool: (m) => m.api.logicalNot(m.b([1, 0])) },
    logicalAnd: {
      bool: (m) => m.api.logicalAnd(m.b([1, 0, 1]), m.b([1, 1, 0])),
      float: (m) => m.api.logicalAnd(m.f([3]), m.f([3])),
      'int32, broadcast': (m) => m.api.logicalAnd(m.i([0, 2, 3], [1, 3]), m.i([1, 0], [2, 1])),
    },
    'Tensor.maskedFill': {
      same: (m) => m.f([2, 3]).maskedFill(m.b([1, 0, 1, 0, 1, 0], [2, 3]), -1),
      broadcast: (m) => m.f([2, 3]).maskedFill(m.b([1, 0, 1]), 5),
    },
    maskedFill: { broadcast: (m) => m.api.maskedFill(m.f([2, 3]), m.b([0, 1, 1]), 0) },
    'Tensor.detach': { new: (m) => m.f([2, 3]).detach() },
    'Tensor.detach_': { 'non-leaf': (m) => m.f([2, 3]).mul(2).detach_() },
    'Tensor.requiresGrad_': { leaf: (m) => m.f([2, 3], { grad: false }).requiresGrad_() },
    // retainGrad on a tensor that does not require grad is PyTorch's error: gradient passes only.
    'Tensor.retainGrad': {
      'non-leaf': (m) => {
        const h = m.f([2, 3]).mul(2);
        return m.grad ? h.retainGrad() : h;
      },
    },
    'Tensor.to': {
      'same device': (m) => m.f([2, 3]).to(m.device),
      int32: (m) => m.f([2, 3]).to('int32'),
      float32: (m) => m.i([1, 2]).to('float32'),
    },
    'Tensor.float': { int32: (m) => m.i([1, 2]).float(), float32: (m) => m.f([2]).float() },
    'Tensor.int': { float32: (m) => m.f([2]).int() },
    'Tensor.bool': { float32: (m) => m.f([2]).bool() },
    'Tensor.clone': { float32: (m) => m.f([2, 3]).clone(), int32: (m) => m.i([1, 2]).clone() },
    clone: { float32: (m) => m.api.clone(m.f([2, 3])) },
    'Tensor.contiguous': { new: (m) => m.f([2, 3]).contiguous() },
    'Tensor.fill_': { new: (m) => m.f([2, 3], { grad: false }).fill_(2) },
    'Tensor.zero_': { new: (m) => m.f([2, 3], { grad: false }).zero_() },
    'Tensor.copy_': {
      same: (m) => m.f([2, 3], { grad: false }).copy_(m.f([2, 3])),
      'broadcast, int32 source': (m) => m.f([2, 3], { grad: false }).copy_(m.i([1, 2, 3])),
    },
  };
}

function creationBuilders(): Record<string, LeakBuilder> {
  return {
    fromArray: {
      float32: (m) => m.api.fromArray(new Float32Array([1, 2, 3, 4]), [2, 2], m.opts()),
      'int32 to bool': (m) => m.api.fromArray(new Int32Array([1, 0]), [2], { device: m.device, dtype: 'bool' }),
    },
    tensor: {
      nested: (m) =>
        m.api.tensor(
          [
            [1, 2],
            [3, 4],
          ],
          m.opts(),
        ),
      bool: (m) => m.api.tensor([true, false], { device: m.device }),
      'typed array': (m) => m.api.tensor(new Int32Array([1, 2]), { device: m.device }),
    },
    full: { new: (m) => m.api.full([2, 3], 0.5, m.opts()) },
    zeros: { new: (m) => m.api.zeros([2, 3], m.opts()) },
    ones: { new: (m) => m.api.ones(2, 3, m.opts()) },
    empty: { new: (m) => m.api.empty([2], m.opts()) },
    zerosLike: { new: (m) => m.api.zerosLike(m.f([2, 3]), { requiresGrad: m.grad }) },
    onesLike: { new: (m) => m.api.onesLike(m.f([2, 3])) },
    fullLike: { new: (m) => m.api.fullLike(m.f([2, 3]), 3) },
    emptyLike: { new: (m) => m.api.emptyLike(m.i([1, 2])) },
    arange: {
      end: (m) => m.api.arange(5, undefined, 1, m.opts()),
      int32: (m) => m.api.arange(1, 7, 2, { device: m.device, dtype: 'int32' }),
    },
    linspace: { new: (m) => m.api.linspace(0, 1, 5, m.opts()) },
    eye: { new: (m) => m.api.eye(3, 2, m.opts()) },
    rand: { new: (m) => m.api.rand([2, 3], m.opts()) },
    randn: { new: (m) => m.api.randn(2, 3, m.opts()) },
    randint: { new: (m) => m.api.randint(0, 5, [2, 3], { device: m.device }) },
    randperm: { new: (m) => m.api.randperm(5, { device: m.device }) },
    randLike: { new: (m) => m.api.randLike(m.f([2, 3])) },
    randnLike: { new: (m) => m.api.randnLike(m.f([2, 3])) },
    serialize: { 'float32 and int32': (m) => m.api.serialize({ w: m.f([2, 3]), i: m.i([1, 2]) }) },
    serializeAsync: { 'float32 and int32': (m) => m.api.serializeAsync({ w: m.f([2, 3]), i: m.i([1, 2]) }) },
    deserialize: {
      'round trip': (m) => {
        const bytes = m.api.serialize({ w: m.f([2, 3], { grad: false }), b: m.b([1, 0]) });
        return m.api.deserialize(bytes, { device: m.device });
      },
    },
  };
}

function functionalBuilders(): Record<string, LeakBuilder> {
  const x23 = (m: LeakInputs) => m.f([2, 3], { lo: -1, hi: 1 });
  const img = (m: LeakInputs, shape: number[] = [2, 2, 5, 5]) => m.f(shape, { lo: -1, hi: 1 });
  const probs = (m: LeakInputs) => m.f([2, 3], { lo: 0.1, hi: 0.9 });
  const target01 = (m: LeakInputs) => m.f([2, 3], { lo: 0, hi: 1, grad: false });
  return {
    'F.relu': { new: (m) => m.api.nn.F.relu(x23(m)) },
    'F.relu6': { new: (m) => m.api.nn.F.relu6(x23(m)) },
    'F.sigmoid': { new: (m) => m.api.nn.F.sigmoid(x23(m)) },
    'F.tanh': { new: (m) => m.api.nn.F.tanh(x23(m)) },
    'F.gelu': { exact: (m) => m.api.nn.F.gelu(x23(m)), tanh: (m) => m.api.nn.F.gelu(x23(m), 'tanh') },
    'F.leakyRelu': { new: (m) => m.api.nn.F.leakyRelu(x23(m), 0.2) },
    'F.hardtanh': { new: (m) => m.api.nn.F.hardtanh(x23(m), -0.5, 0.5) },
    'F.silu': { new: (m) => m.api.nn.F.silu(x23(m)) },
    'F.elu': { new: (m) => m.api.nn.F.elu(x23(m), 0.5) },
    'F.softplus': { new: (m) => m.api.nn.F.softplus(x23(m), 2, 1) },
    'F.logsigmoid': { new: (m) => m.api.nn.F.logsigmoid(x23(m)) },
    'F.softmax': { dim: (m) => m.api.nn.F.softmax(x23(m), -1), implicit: (m) => m.api.nn.F.softmax(x23(m)) },
    'F.logSoftmax': { dim: (m) => m.api.nn.F.logSoftmax(x23(m), 0) },
    'F.softmin': { dim: (m) => m.api.nn.F.softmin(x23(m), 1) },
    'F.linear': {
      bias: (m) => m.api.nn.F.linear(m.f([4, 3]), m.f([2, 3]), m.f([2])),
      'no bias, 3-d': (m) => m.api.nn.F.linear(m.f([2, 4, 3]), m.f([2, 3])),
    },
    'F.conv2d': {
      bias: (m) => m.api.nn.F.conv2d(img(m), m.f([3, 2, 3, 3]), m.f([3]), { padding: 1 }),
      'same, asymmetric': (m) => m.api.nn.F.conv2d(img(m), m.f([2, 2, 2, 2]), null, { padding: 'same' }),
      'unbatched, groups': (m) =>
        m.api.nn.F.conv2d(img(m, [2, 5, 5]), m.f([4, 1, 3, 3]), m.f([4]), { groups: 2, stride: 2 }),
    },
    'F.maxPool2d': {
      batched: (m) => m.api.nn.F.maxPool2d(img(m), 2),
      unbatched: (m) => m.api.nn.F.maxPool2d(img(m, [2, 4, 4]), 2, { stride: 1 }),
    },
    'F.maxPool2dWithIndices': {
      batched: (m) => m.api.nn.F.maxPool2dWithIndices(img(m), 2),
      unbatched: (m) => m.api.nn.F.maxPool2dWithIndices(img(m, [2, 4, 4]), 3, { padding: 1 }),
    },
    'F.avgPool2d': {
      batched: (m) => m.api.nn.F.avgPool2d(img(m), 2),
      unbatched: (m) => m.api.nn.F.avgPool2d(img(m, [2, 4, 4]), 2, { ceilMode: true }),
    },
    'F.flatten': { new: (m) => m.api.nn.F.flatten(img(m), 1) },
    'F.unflatten': { new: (m) => m.api.nn.F.unflatten(m.f([2, 6]), 1, [3, 2]) },
    'F.pad': {
      pad: (m) => m.api.nn.F.pad(x23(m), [1, 2]),
      crop: (m) => m.api.nn.F.pad(x23(m), [-1, 1, 0, 1], 'constant', 3),
      none: (m) => m.api.nn.F.pad(x23(m), [0, 0]),
      reflect: (m) => m.api.nn.F.pad(img(m), [1, 2, 2, 0], 'reflect'),
      replicate: (m) => m.api.nn.F.pad(x23(m), [2, 1], 'replicate'),
      circular: (m) => m.api.nn.F.pad(img(m), [1, 1, 0, 2], 'circular'),
    },
    'F.oneHot': {
      explicit: (m) => m.api.nn.F.oneHot(m.i([0, 2, 1]), 4),
      inferred: (m) => m.api.nn.F.oneHot(m.i([0, 2, 1])),
    },
    'F.embedding': {
      plain: (m) => m.api.nn.F.embedding(m.i([0, 2, 2, 1], [2, 2]), m.f([3, 4])),
      'padding index': (m) => m.api.nn.F.embedding(m.i([0, 2, 1]), m.f([3, 4]), 1),
    },
    'F.dropout': {
      training: (m) => m.api.nn.F.dropout(m.f([4, 5]), 0.5),
      eval: (m) => m.api.nn.F.dropout(m.f([4, 5]), 0.5, false),
      'p=1': (m) => m.api.nn.F.dropout(m.f([4, 5]), 1),
    },
    'F.layerNorm': {
      affine: (m) => m.api.nn.F.layerNorm(m.f([2, 3, 4]), [4], m.f([4]), m.f([4])),
      plain: (m) => m.api.nn.F.layerNorm(m.f([2, 3, 4]), [3, 4]),
    },
    'F.batchNorm': {
      training: (m) =>
        m.api.nn.F.batchNorm(
          img(m),
          m.f([2], { grad: false }),
          m.f([2], { lo: 0.5, hi: 1.5, grad: false }),
          m.f([2]),
          m.f([2]),
          { training: true },
        ),
      eval: (m) =>
        m.api.nn.F.batchNorm(m.f([4, 3]), m.f([3], { grad: false }), m.f([3], { lo: 0.5, hi: 1.5, grad: false })),
      'training, no running stats': (m) =>
        m.api.nn.F.batchNorm(m.f([4, 3]), null, null, null, null, { training: true }),
    },
    'F.mseLoss': {
      mean: (m) => m.api.nn.F.mseLoss(x23(m), target01(m)),
      none: (m) => m.api.nn.F.mseLoss(x23(m), target01(m), { reduction: 'none' }),
    },
    'F.l1Loss': { sum: (m) => m.api.nn.F.l1Loss(x23(m), target01(m), { reduction: 'sum' }) },
    'F.smoothL1Loss': {
      mean: (m) => m.api.nn.F.smoothL1Loss(x23(m), target01(m), { beta: 0.5 }),
      'beta 0': (m) => m.api.nn.F.smoothL1Loss(x23(m), target01(m), { beta: 0 }),
    },
    'F.huberLoss': { mean: (m) => m.api.nn.F.huberLoss(x23(m), target01(m), { delta: 0.5 }) },
    'F.binaryCrossEntropy': {
      mean: (m) => m.api.nn.F.binaryCrossEntropy(probs(m), target01(m)),
      weight: (m) => m.api.nn.F.binaryCrossEntropy(probs(m), target01(m), { weight: m.f([3], { grad: false }) }),
      'target requires grad': (m) => m.api.nn.F.binaryCrossEntropy(probs(m), m.f([2, 3], { lo: 0, hi: 1 })),
    },
    'F.binaryCrossEntropyWithLogits': {
      mean: (m) => m.api.nn.F.binaryCrossEntropyWithLogits(x23(m), target01(m)),
      'posWeight, weight': (m) =>
        m.api.nn.F.binaryCrossEntropyWithLogits(x23(m), target01(m), {
          posWeight: m.f([3], { grad: false }),
          weight: m.f([2, 3], { grad: false }),
          reduction: 'sum',
        }),
    },
    'F.nllLoss': {
      mean: (m) => m.api.nn.F.nllLoss(x23(m), m.i([2, 0])),
      'weight, ignoreIndex': (m) =>
        m.api.nn.F.nllLoss(x23(m), m.i([2, 1]), { weight: m.f([3], { grad: false }), ignoreIndex: 1 }),
      none: (m) =>
        m.api.nn.F.nllLoss(m.f([3]), m.track(m.api.tensor(1, { dtype: 'int32', device: m.device })), {
          reduction: 'none',
        }),
    },
    'F.crossEntropy': {
      indices: (m) => m.api.nn.F.crossEntropy(x23(m), m.i([2, 0])),
      'indices, smoothing, weight': (m) =>
        m.api.nn.F.crossEntropy(x23(m), m.i([2, 0]), { labelSmoothing: 0.1, weight: m.f([3], { grad: false }) }),
      'indices, smoothing, sum': (m) =>
        m.api.nn.F.crossEntropy(x23(m), m.i([1, 0]), { labelSmoothing: 0.2, reduction: 'sum' }),
      'spatial, none': (m) => m.api.nn.F.crossEntropy(m.f([2, 3, 2]), m.i([0, 1, 2, 0], [2, 2]), { reduction: 'none' }),
      probabilities: (m) => m.api.nn.F.crossEntropy(x23(m), m.track(probs(m).detach()), { labelSmoothing: 0.1 }),
    },
    'F.klDiv': {
      batchmean: (m) => m.api.nn.F.klDiv(x23(m), target01(m), { reduction: 'batchmean' }),
      logTarget: (m) => m.api.nn.F.klDiv(x23(m), x23(m), { logTarget: true }),
    },
    'F.normalize': { new: (m) => m.api.nn.F.normalize(x23(m)) },
  };
}

function initAndUtilsBuilders(): Record<string, LeakBuilder> {
  const init = (call: (m: LeakInputs, t: Tensor) => unknown): LeakBuilder => ({
    parameter: (m) => call(m, m.f([3, 4])),
  });
  const withGrads = (m: LeakInputs): Tensor[] => {
    const ps = [m.f([2, 3], { grad: false }), m.f([4], { grad: false })];
    for (const p of ps) p.grad = m.f(p.shape, { grad: false, lo: -2, hi: 2 });
    return ps;
  };
  return {
    'init.uniform_': init((m, t) => m.api.nn.init.uniform_(t, -1, 1)),
    'init.normal_': init((m, t) => m.api.nn.init.normal_(t)),
    'init.truncNormal_': init((m, t) => m.api.nn.init.truncNormal_(t)),
    'init.constant_': init((m, t) => m.api.nn.init.constant_(t, 0.5)),
    'init.zeros_': init((m, t) => m.api.nn.init.zeros_(t)),
    'init.ones_': init((m, t) => m.api.nn.init.ones_(t)),
    'init.eye_': init((m, t) => m.api.nn.init.eye_(t)),
    'init.xavierUniform_': init((m, t) => m.api.nn.init.xavierUniform_(t)),
    'init.xavierNormal_': init((m, t) => m.api.nn.init.xavierNormal_(t)),
    'init.kaimingUniform_': init((m, t) => m.api.nn.init.kaimingUniform_(t)),
    'init.kaimingNormal_': init((m, t) => m.api.nn.init.kaimingNormal_(t)),
    'utils.clipGradNorm_': {
      'p=2': (m) => m.api.nn.utils.clipGradNorm_(withGrads(m), 0.5),
      'p=inf': (m) => m.api.nn.utils.clipGradNorm_(withGrads(m), 0.5, Infinity),
    },
    'utils.clipGradValue_': { new: (m) => m.api.nn.utils.clipGradValue_(withGrads(m), 0.5) },
    'utils.parametersToVector': { new: (m) => m.api.nn.utils.parametersToVector([m.f([2, 3]), m.f([4])]) },
    'utils.vectorToParameters': {
      new: (m) =>
        m.api.nn.utils.vectorToParameters(m.f([10]), [m.f([2, 3], { grad: false }), m.f([4], { grad: false })]),
    },
  };
}

/** One entry per public op (see the file comment); keys are 'Tensor.x', 'x', 'F.x', 'init.x', 'utils.x'. */
export const LEAK_BUILDERS: Readonly<Record<string, LeakBuilder>> = {
  ...unaryBuilders(),
  ...binaryBuilders(),
  ...compareBuilders(),
  ...inPlaceBuilders(),
  ...reductionBuilders(),
  ...layoutBuilders(),
  ...linalgBuilders(),
  ...miscBuilders(),
  ...creationBuilders(),
  ...functionalBuilders(),
  ...initAndUtilsBuilders(),
  ...functionsBuilders(),
  ...convpoolBuilders(),
  ...sortingBuilders(),
  ...datadepBuilders(),
  ...nnextraBuilders(),
  ...transformerBuilders(),
  ...indexingBuilders(),
  ...autogradBuilders(),
};

/** Tensor hooks (gradient passes only: a hook needs a tensor that requires grad). */
function autogradBuilders(): Record<string, LeakBuilder> {
  return {
    'Tensor.registerHook': {
      // The hook replaces the gradient with a new tensor, which the engine must free.
      'non-leaf, replacing': (m) => {
        const h = m.track(m.f([2, 3]).mul(2));
        if (m.grad) h.registerHook((g) => g.mul(2));
        return h.exp();
      },
      'leaf, removed': (m) => {
        const x = m.f([2, 3]);
        if (m.grad) x.registerHook((g) => g.neg()).remove();
        return x.square();
      },
    },
  };
}

// ------------------------------------------------------------------ enumeration

function functionNames(owner: object): string[] {
  return Object.keys(owner).filter((k) => typeof (owner as Record<string, unknown>)[k] === 'function');
}

/** Every public op name of `api`, as LEAK_BUILDERS spells it (NOT_OPS and internals left out). */
export function publicOps(api: FlintApi): string[] {
  const names: string[] = [];
  for (const member of Object.getOwnPropertyNames(api.Tensor.prototype)) {
    if (member.startsWith('_')) continue;
    names.push(`Tensor.${member}`);
  }
  names.push(...functionNames(api));
  names.push(...functionNames(api.nn.functional).map((n) => `F.${n}`));
  names.push(...functionNames(api.nn.init).map((n) => `init.${n}`));
  names.push(...functionNames(api.nn.utils).map((n) => `utils.${n}`));
  return names.filter((n) => NOT_OPS[n] === undefined);
}

/** Ops without a builder, and builders naming no public op (both must be empty). */
export function leakSweepCoverage(api: FlintApi): { missing: string[]; stale: string[] } {
  const ops = publicOps(api);
  const known = new Set(ops);
  return {
    missing: ops.filter((n) => LEAK_BUILDERS[n] === undefined),
    stale: Object.keys(LEAK_BUILDERS).filter((n) => !known.has(n)),
  };
}

// ------------------------------------------------------------------ the sweep

interface Snapshot {
  handles: number;
  bytes: number;
  backendHandles: number;
  backendBytes: number;
}

function snapshot(api: FlintApi, device: string): Snapshot {
  const m = api.memory();
  const b = m.backends[device];
  return {
    handles: m.handles,
    bytes: m.bytes,
    backendHandles: b?.backendHandles ?? 0,
    backendBytes: b?.backendBytes ?? 0,
  };
}

function describeGrowth(before: Snapshot, after: Snapshot): string | null {
  const d = (k: keyof Snapshot) => after[k] - before[k];
  if (d('handles') === 0 && d('bytes') === 0 && d('backendHandles') === 0 && d('backendBytes') === 0) return null;
  const s = (n: number) => (n > 0 ? `+${n}` : String(n));
  return `${s(d('handles'))} handles / ${s(d('bytes'))} bytes in core, ${s(d('backendHandles'))} handles / ${s(d('backendBytes'))} bytes in the backend`;
}

function collectTensors(api: FlintApi, value: unknown, out: Set<Tensor>, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (api.isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collectTensors(api, v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collectTensors(api, v, out, seen);
}

function makeInputs(api: FlintApi, device: string, grad: boolean, made: Tensor[]): LeakInputs {
  const rng = new Rng(9);
  const track = <T extends Tensor>(t: T): T => {
    made.push(t);
    return t;
  };
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  return {
    api,
    device,
    grad,
    f: (shape, o = {}) => {
      const values = Float32Array.from({ length: size(shape) }, () => rng.uniform(o.lo ?? 0.1, o.hi ?? 1.1));
      return track(api.fromArray(values, shape, { device, requiresGrad: grad && o.grad !== false }));
    },
    i: (values, shape) => track(api.fromArray(Int32Array.from(values), shape ?? [values.length], { device })),
    b: (values, shape) =>
      track(api.fromArray(Uint8Array.from(values), shape ?? [values.length], { device, dtype: 'bool' })),
    opts: () => ({ device, requiresGrad: grad }),
    track,
  };
}

/** Runs one variant in one pass; returns the problems found (empty when memory came back). */
async function runPass(
  api: FlintApi,
  device: string,
  label: string,
  variant: LeakVariant,
  pass: LeakPass,
): Promise<string[]> {
  const before = snapshot(api, device);
  const made: Tensor[] = [];
  const problems: string[] = [];
  const outs = new Set<Tensor>();
  try {
    let result = variant(makeInputs(api, device, pass !== 'plain', made));
    // Only serializeAsync awaits (its reads are asynchronous); every other pass stays synchronous.
    if (result instanceof Promise) result = await result;
    collectTensors(api, result, outs);
    if (pass === 'backward') {
      const differentiable = [...outs].filter((o) => o.requiresGrad && o.dtype === 'float32' && !o.isDisposed);
      if (differentiable.length > 0) {
        const parts = differentiable.map((o) => o.sum());
        let loss = parts[0]!;
        for (const t of parts.slice(1)) {
          loss = loss.add(t);
          parts.push(loss);
        }
        try {
          loss.backward();
        } finally {
          for (const t of new Set(parts)) t.dispose();
        }
        if (![...outs, ...made].some((t) => t.grad !== null))
          problems.push(`${label} [${pass}]: backward() gave no input or result a .grad`);
      }
    }
  } catch (error) {
    problems.push(`${label} [${pass}]: threw ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    for (const t of new Set([...outs, ...made])) {
      t.grad?.dispose();
      t.dispose();
    }
  }
  const growth = describeGrowth(before, snapshot(api, device));
  if (growth !== null) problems.push(`${label} [${pass}]: ${growth} still live after disposing inputs and results`);
  return problems;
}

/**
 * Sweeps one public op (a LEAK_BUILDERS key) on `device`: every variant, every pass. Throws with
 * every problem listed.
 */
export async function runLeakSweep(api: FlintApi, device: string, name: string): Promise<void> {
  const builder = LEAK_BUILDERS[name];
  if (builder === undefined) throw new Error(`no leak-sweep builder for '${name}' (add one to src/ops/leaks.ts)`);
  const problems: string[] = [];
  for (const [variant, fn] of Object.entries(builder)) {
    for (const pass of LEAK_PASSES) {
      const label = `${name} (${variant})`;
      problems.push(...(await runPass(api, device, label, fn, pass)));
    }
  }
  if (problems.length > 0) throw new Error(`leaks in ${name}:\n  ${problems.join('\n  ')}`);
}
