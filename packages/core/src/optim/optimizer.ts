/**
 * Optimizer base: parameter groups, per-parameter state, zeroGrad, step(closure), addParamGroup,
 * stateDict / loadStateDict in PyTorch's structure.
 *
 * Every step runs under noGrad() inside tidy(): temporaries are freed, parameters are written in
 * place (the Tensor objects the model holds stay the same), and state tensors are kept alive with
 * keep(). A step never reads tensor data back to the host: hyperparameters, step counts and bias
 * corrections are host numbers.
 */
import { Tensor } from '../tensor/tensor.js';
import { keep, tidy } from '../tensor/scope.js';
import { enableGrad, noGrad } from '../autograd/grad-mode.js';
import { formatShape } from '../backend/shape.js';
import { checkOptionKeys } from '../options.js';

/**
 * One entry of an optimizer's state: a tensor on the parameter's device, a host number, or a list
 * of either (LBFGS's history).
 */
export type StateValue = Tensor | number | Tensor[] | number[];
export type ParamState = Record<string, StateValue>;

/** A parameter group as the optimizer holds it: the options of the group plus its parameters. */
export type ParamGroup<O extends object> = O & { params: Tensor[]; [option: string]: unknown };

/** A group as passed to the constructor or addParamGroup: options not given fall back to the defaults. */
export type ParamGroupInput<O extends object> = Partial<O> & {
  params: Iterable<Tensor> | Tensor;
  [option: string]: unknown;
};

export type ParamsInput<O extends object> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/**
 * PyTorch's optimizer state_dict layout: parameters are replaced by their index (counted across
 * groups in order); `state` holds only parameters that have state.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

export type Closure = () => Tensor | number;

export interface BaseOptions {
  lr: number;
}

export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  readonly defaults: Readonly<O>;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, keyed by the parameter tensor itself (as PyTorch). */
  readonly state = new Map<Tensor, ParamState>();

  /** `defaults`: every option with its default value; `options`: the caller's, each one of those. */
  constructor(params: ParamsInput<O>, defaults: O, options: Partial<O> = {}) {
    checkOptionKeys(this.constructor.name, options, Object.keys(defaults));
    this.defaults = Object.freeze({ ...defaults, ...options });
    const list = params instanceof Tensor ? [params] : [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new Error(`${this.constructor.name}: optimizer got an empty parameter list`);
    if (list.every((p) => p instanceof Tensor)) {
      this.addParamGroup({ params: list as Tensor[] } as unknown as ParamGroupInput<O>);
    } else if (list.every((p) => !(p instanceof Tensor) && typeof p === 'object' && p !== null && 'params' in p)) {
      for (const group of list as ParamGroupInput<O>[]) this.addParamGroup(group);
    } else {
      throw new TypeError(
        `${this.constructor.name}: params must be an iterable of Tensors or of parameter groups ({ params, ...options }), not a mix`,
      );
    }
  }

  /** Add a group of parameters (e.g. layers unfrozen during fine-tuning); missing options take the defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (group === null || typeof group !== 'object' || !('params' in group)) {
      throw new TypeError(`${this.constructor.name}.addParamGroup: expected an object { params, ...options }`);
    }
    const raw = group.params;
    const params = raw instanceof Tensor ? [raw] : [...raw];
    params.forEach((p, i) => {
      if (!(p instanceof Tensor))
        throw new TypeError(`optimizer can only optimize Tensors, but parameter ${i} of the group is ${typeof p}`);
      if (p.dtype !== 'float32')
        throw new Error(`optimizer can only optimize float32 Tensors, but parameter ${i} of the group is ${p.dtype}`);
      if (!p.isLeaf)
        throw new Error(
          `can't optimize a non-leaf Tensor (parameter ${i} of the group, shape ${formatShape(p.shape)})`,
        );
      if (p.isDisposed) throw new Error(`parameter ${i} of the group (shape ${formatShape(p.shape)}) was disposed`);
    });
    if (new Set(params).size !== params.length) {
      throw new Error('optimizer contains a parameter group with duplicate parameters');
    }
    const existing = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => existing.has(p))) throw new Error('some parameters appear in more than one parameter group');
    const full = { ...this.defaults, ...group, params } as ParamGroup<O>;
    for (const [key, value] of Object.entries(full)) {
      if (value === undefined && key in this.defaults)
        (full as Record<string, unknown>)[key] = (this.defaults as Record<string, unknown>)[key];
    }
    this.validateGroup(full);
    this.paramGroups.push(full);
  }

  /** Check a group's hyperparameters (PyTorch's messages); subclasses extend it. */
  protected validateGroup(group: ParamGroup<O>): void {
    if (!(group.lr >= 0)) throw new Error(`Invalid learning rate: ${group.lr}`);
  }

  /**
   * Reset the gradients of all parameters. With setToNone (the default, as PyTorch 2) the gradient
   * tensors are disposed and `.grad` becomes null; otherwise they are zeroed in place.
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) {
          p.grad = null;
          g.dispose();
        } else {
          noGrad(() => g.zero_());
        }
      }
    }
  }

  /**
   * One optimisation step. `closure` (re-evaluates the model and returns the loss) runs with grad
   * enabled before the update; its result is returned.
   */
  step(closure?: Closure): Tensor | number | undefined {
    let loss: Tensor | number | undefined;
    // The closure's intermediates are freed; the loss it returns (and the gradients) survive.
    if (closure !== undefined) loss = tidy(() => enableGrad(closure));
    noGrad(() =>
      tidy(() => {
        for (const group of this.paramGroups) this.updateGroup(group);
      }),
    );
    return loss;
  }

  /** Update every parameter of `group` that has a gradient (runs under noGrad inside tidy). */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** A state tensor that outlives the step's tidy(). */
  protected keepState(t: Tensor): Tensor {
    return keep(t);
  }

  /** The gradient to use, negated when maximizing (a temporary freed by the step's tidy). */
  protected gradOf(p: Tensor, maximize: boolean): Tensor {
    const g = p.grad!;
    if (g.device !== p.device) {
      throw new Error(
        `Expected all tensors to be on the same device, but found at least two devices, ${p.device} and ${g.device}!`,
      );
    }
    return maximize ? g.neg() : g;
  }

  /**
   * PyTorch's layout: { state: { index: {...} }, param_groups: [{ ...options, params: [indices] }] }.
   * State tensors are returned by reference (as PyTorch); clone them to keep a snapshot that
   * survives further steps. Group options keep Flint's spelling (weightDecay, betas, ...); state
   * entries use PyTorch's names (momentum_buffer, exp_avg, exp_avg_sq, step, ...).
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups: OptimizerStateDict['param_groups'] = [];
    for (const group of this.paramGroups) {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) if (k !== 'params') packed[k] = Array.isArray(v) ? [...v] : v;
      const ids: number[] = [];
      for (const p of group.params) {
        if (!index.has(p)) index.set(p, index.size);
        ids.push(index.get(p)!);
      }
      paramGroups.push({ ...packed, params: ids });
    }
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) {
        const copy: ParamState = {};
        for (const [k, v] of Object.entries(s)) copy[k] = Array.isArray(v) ? ([...v] as Tensor[] | number[]) : v;
        state[i] = copy;
      }
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Load a state dict made by stateDict() of an optimizer over parameters of the same shapes, in
   * the same order. State tensors are copied (onto each parameter's device), so the source dict can
   * be disposed afterwards.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (
      stateDict === null ||
      typeof stateDict !== 'object' ||
      !Array.isArray(stateDict.param_groups) ||
      typeof stateDict.state !== 'object'
    ) {
      throw new Error(`${name}.loadStateDict: expected { state, param_groups } (an optimizer state dict)`);
    }
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length) {
      throw new Error(
        `${name}.loadStateDict: loaded state dict has ${saved.length} parameter groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    saved.forEach((g, gi) => {
      const own = this.paramGroups[gi]!.params;
      if (!Array.isArray(g.params) || g.params.length !== own.length) {
        throw new Error(
          `${name}.loadStateDict: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${gi}: ${Array.isArray(g.params) ? g.params.length : 'no'} params saved, ${own.length} in the optimizer)`,
        );
      }
      g.params.forEach((id, k) => {
        byIndex.set(id, own[k]!);
      });
    });
    // Validate everything before changing anything.
    saved.forEach((g, gi) => {
      for (const k of Object.keys(this.defaults)) {
        if (!(k in g))
          throw new Error(
            `${name}.loadStateDict: param_groups[${gi}] has no option '${k}' (a state dict of another optimizer?)`,
          );
      }
    });
    const incoming = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const id = Number(key);
      const p = byIndex.get(id);
      if (p === undefined)
        throw new Error(`${name}.loadStateDict: state for parameter index ${key}, which no parameter group contains`);
      if (entry === null || typeof entry !== 'object')
        throw new Error(`${name}.loadStateDict: state of parameter ${key} is not an object`);
      for (const [k, v] of Object.entries(entry)) {
        if (this.stateKeys !== null && !this.stateKeys.includes(k)) {
          throw new Error(
            `${name}.loadStateDict: unexpected state '${k}' for parameter ${key} (${name} keeps ${this.stateKeys.map((s) => `'${s}'`).join(', ')}): a state dict of another optimizer?`,
          );
        }
        const items = Array.isArray(v) ? (v as unknown[]) : [v];
        items.forEach((item, j) => {
          const what = Array.isArray(v) ? `state '${k}'[${j}]` : `state '${k}'`;
          if (item instanceof Tensor) {
            if (item.isDisposed) throw new Error(`${name}.loadStateDict: ${what} of parameter ${key} was disposed`);
            this.checkStateTensor(p, k, item, `${what} of parameter ${key}`);
          } else if (typeof item !== 'number' && !(item === null && Array.isArray(v))) {
            throw new Error(
              `${name}.loadStateDict: ${what} of parameter ${key} must be a Tensor or a number, got ${item === null ? 'null' : typeof item}`,
            );
          }
        });
      }
      incoming.set(p, entry);
    }
    this.disposeState();
    const copy = (v: Tensor, p: Tensor): Tensor => keep(v.device === p.device ? v.clone() : v.to(p.device));
    noGrad(() => {
      for (const [p, entry] of incoming) {
        const s: ParamState = {};
        for (const [k, v] of Object.entries(entry)) {
          if (typeof v === 'number') s[k] = v;
          else if (v instanceof Tensor) s[k] = copy(v, p);
          else s[k] = (v as unknown[]).map((x) => (x instanceof Tensor ? copy(x, p) : x)) as Tensor[] | number[];
        }
        this.state.set(p, s);
      }
    });
    saved.forEach((g, gi) => {
      const group = this.paramGroups[gi]!;
      for (const [k, v] of Object.entries(g))
        if (k !== 'params') (group as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
    });
  }

  /** Dispose every state tensor (the optimizer can keep stepping: state is recreated lazily). */
  disposeState(): void {
    for (const s of this.state.values()) {
      for (const v of Object.values(s)) {
        if (v instanceof Tensor) v.dispose();
        else if (Array.isArray(v)) for (const x of v) if (x instanceof Tensor) x.dispose();
      }
    }
    this.state.clear();
  }

  /**
   * The state entry names this optimizer keeps (PyTorch's); loadStateDict rejects others, which
   * catches a state dict of another optimizer. null: accept any name.
   */
  protected readonly stateKeys: readonly string[] | null = null;

  /** A loaded state tensor must be a scalar or have the parameter's shape; optimizers with other layouts override. */
  protected checkStateTensor(p: Tensor, _key: string, v: Tensor, what: string): void {
    if (v.numel !== 1 && !v._shapeEquals(p.shape)) {
      throw new Error(
        `${this.constructor.name}.loadStateDict: ${what} has shape ${formatShape(v.shape)}, but the parameter has shape ${formatShape(p.shape)}`,
      );
    }
  }
}

/** Shared validation helpers with PyTorch's messages. */
export function checkNonNegative(value: number, what: string): void {
  if (!(value >= 0)) throw new Error(`Invalid ${what}: ${value}`);
}

export function checkBetas(betas: readonly [number, number]): void {
  if (!Array.isArray(betas) || betas.length !== 2)
    throw new Error(`Invalid betas: expected [beta1, beta2], got ${String(betas)}`);
  betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new Error(`Invalid beta parameter at index ${i}: ${b}`);
  });
}
