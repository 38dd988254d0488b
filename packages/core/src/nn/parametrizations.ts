/**
 * Weight normalization (Salimans & Kingma): weight = g * v / ||v||, the norm taken over every dim
 * but `dim` (dim null: over the whole tensor). Two spellings, as PyTorch has them:
 * - nn.utils.parametrizations.weightNorm (torch >= 2.1's parametrization): parameters
 *   `parametrizations.<name>.original0` (g) and `.original1` (v); `module.<name>` is recomputed on
 *   every read.
 * - nn.utils.weightNorm (torch.nn.utils.weight_norm, the form torch 1.13 has): parameters
 *   `<name>_g` and `<name>_v`; `module.<name>` is recomputed before every forward (a pre-hook; the
 *   previous one is freed then).
 */
import { noGrad } from '../autograd/grad-mode.js';
import { formatShape } from '../backend/shape.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { ModuleDict } from './container.js';
import { Module, Parameter } from './module.js';

/** ||v|| over every dim but `dim` (kept as size-1 dims), or over all of v when dim is null. */
function normExceptDim(v: Tensor, dim: number | null): Tensor {
  if (dim === null) return v.square().sum().sqrt();
  const dims = Array.from({ length: v.ndim }, (_, i) => i).filter((i) => i !== dim);
  if (dims.length === 0) return v.abs();
  return v.square().sum(dims, true).sqrt();
}

/** g * v / ||v||. */
export function weightNormOf(g: Tensor, v: Tensor, dim: number | null): Tensor {
  return tidy(() => v.mul(g.div(normExceptDim(v, dim))));
}

function takeParameter(module: Module, name: string, dim: number | null): [Parameter, number | null] {
  const p = new Map(module._ownParameters()).get(name);
  if (p === undefined)
    throw new Error(`weightNorm: module ${module.constructor.name} has no parameter or buffer with name '${name}'`);
  let d = dim;
  if (d !== null) {
    if (!Number.isInteger(d) || d < -p.ndim || d >= p.ndim)
      throw new Error(`weightNorm: dim ${d} is out of range for '${name}' of shape ${formatShape(p.shape)}`);
    if (d < 0) d += p.ndim;
  }
  return [p, d];
}

function splitNorm(p: Parameter, dim: number | null): [Parameter, Parameter] {
  // tidy frees the norm's intermediates and the detached aliases (the Parameters are kept).
  return noGrad(() =>
    tidy(() => {
      const data = p.detach();
      return [Parameter.adopt(normExceptDim(data, dim)), Parameter.adopt(data.clone())] as [Parameter, Parameter];
    }),
  );
}

/** The container of one parametrized tensor's originals (PyTorch's ParametrizationList). */
class ParametrizationList extends Module {
  declare original0: Parameter;
  declare original1: Parameter;
  readonly dim: number | null;

  constructor(g: Parameter, v: Parameter, dim: number | null) {
    super();
    this.registerParameter('original0', g);
    this.registerParameter('original1', v);
    this.dim = dim;
  }

  /** The weight from its originals. */
  override forward(): Tensor {
    return weightNormOf(this.original0, this.original1, this.dim);
  }
}

/**
 * torch.nn.utils.parametrizations.weight_norm(module, name='weight', dim=0): replaces the
 * parameter by g (`parametrizations.<name>.original0`) and v (`.original1`), initialised so the
 * weight is unchanged; reading `module.<name>` computes g * v / ||v||. Returns the module.
 */
export function weightNorm<M extends Module>(module: M, name = 'weight', dim: number | null = 0): M {
  const [p, d] = takeParameter(module, name, dim);
  const [g, v] = splitNorm(p, d);
  const target = module as unknown as Record<string, unknown>;
  delete target[name];
  let dict = target.parametrizations;
  if (!(dict instanceof ModuleDict)) {
    dict = new ModuleDict();
    module.registerModule('parametrizations', dict as ModuleDict);
  }
  const list = new ParametrizationList(g, v, d);
  (dict as ModuleDict).set(name, list);
  Object.defineProperty(module, name, {
    get: () => list.forward(),
    enumerable: false,
    configurable: true,
  });
  p.dispose();
  return module;
}

/**
 * torch.nn.utils.weight_norm(module, name='weight', dim=0): replaces the parameter by `<name>_g`
 * and `<name>_v` and recomputes `module.<name>` before every forward. Returns the module.
 */
export function legacyWeightNorm<M extends Module>(module: M, name = 'weight', dim: number | null = 0): M {
  const [p, d] = takeParameter(module, name, dim);
  const [g, v] = splitNorm(p, d);
  const target = module as unknown as Record<string, unknown>;
  delete target[name];
  module.registerParameter(`${name}_g`, g);
  module.registerParameter(`${name}_v`, v);
  let current: Tensor | null = null;
  // The previous weight is freed when replaced (a graph that used it keeps what it saved).
  const compute = (): void => {
    if (current !== null && !current.isDisposed) current.dispose();
    current = weightNormOf(g, v, d);
    Object.defineProperty(module, name, {
      value: current,
      enumerable: false,
      writable: true,
      configurable: true,
    });
  };
  compute();
  module.registerForwardPreHook(() => {
    compute();
  });
  p.dispose();
  return module;
}
