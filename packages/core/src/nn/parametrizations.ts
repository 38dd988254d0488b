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
  // Looked up on the module reading it, so a deepCopy() computes from its own originals.
  Object.defineProperty(module, name, {
    get(this: Module) {
      const dict = (this as unknown as { parametrizations: ModuleDict }).parametrizations;
      return (dict.get(name) as ParametrizationList).forward();
    },
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
  // The previous weight is freed when replaced (a graph that used it keeps what it saved). The
  // hook reads g and v from the module it runs on, so a deepCopy() uses its own.
  const compute = (m: Module): void => {
    const own = m as unknown as Record<string, Tensor | undefined>;
    const previous = own[name];
    if (previous !== undefined && !previous.isDisposed) previous.dispose();
    Object.defineProperty(m, name, {
      value: weightNormOf(own[`${name}_g`]!, own[`${name}_v`]!, d),
      enumerable: false,
      writable: true,
      configurable: true,
    });
  };
  compute(module);
  module.registerForwardPreHook((m) => {
    compute(m);
  });
  p.dispose();
  return module;
}
