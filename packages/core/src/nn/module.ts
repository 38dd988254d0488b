/**
 * nn.Module and nn.Parameter.
 *
 * Modules are callable like PyTorch's (`model(x)` runs `model.forward(x)`): the Module
 * constructor returns a function object whose prototype is the subclass's prototype, so
 * `instanceof`, methods, fields and getters all work as on a plain instance. Children and
 * parameters are found the way PyTorch's `__setattr__` registers them: every own enumerable
 * property holding a Module is a child, every one holding a Parameter is a parameter, in
 * property order. Buffers are registered explicitly with registerBuffer().
 */
import { formatShape, shapesEqual } from '../backend/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Tensor } from '../tensor/tensor.js';
import { keep } from '../tensor/scope.js';
import type { RemovableHandle } from '../autograd/engine.js';
import { callWithHooks, deepCopyModule } from './hooks.js';

/**
 * A Tensor that is a module parameter: a leaf that requires grad by default. It shares the given
 * tensor's storage (like `nn.Parameter(t)` in PyTorch) and is never freed by tidy().
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new TypeError('Parameter: expected a Tensor as data');
    data._storage.retain();
    super(data._storage, data.shape, data.dtype);
    keep(this);
    if (requiresGrad) this.requiresGrad_(true);
  }

  /**
   * Wrap a freshly created tensor and release the temporary's own reference, so disposing the
   * parameter frees the storage (layers use this for their initial weights).
   */
  static adopt(data: Tensor, requiresGrad = true): Parameter {
    const p = new Parameter(data, requiresGrad);
    data.dispose();
    return p;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The merged call signature: `model(x)` is `model.forward(x)`. (TypeScript cannot infer the call
 * signature from each subclass's forward; calls return `any`, or call `model.forward(x)` for
 * the precise type.)
 */
export interface Module {
  // biome-ignore lint/style/useShorthandFunctionType: this interface merges a call signature into the class Module.
  // biome-ignore lint/suspicious/noExplicitAny: forward's arguments and result differ per subclass.
  (...inputs: any[]): any;
}

interface ModuleInternals {
  buffers: Set<string>;
  nonPersistent: Set<string>;
  /** Created by the first register*Hook call (so modules without hooks call forward directly). */
  hooks?: ModuleHooks;
}

/** Runs before forward: `hook(module, inputs)`; a returned value (an array: all inputs) replaces the inputs. */
// biome-ignore lint/suspicious/noExplicitAny: hooks see forward's untyped inputs (PyTorch's tuple of arguments).
export type ForwardPreHook = (module: Module, inputs: any[]) => unknown;
/** Runs after forward: `hook(module, inputs, output)`; a returned value (not undefined) replaces the output. */
// biome-ignore lint/suspicious/noExplicitAny: hooks see forward's untyped inputs and output.
export type ForwardHook = (module: Module, inputs: any[], output: any) => unknown;
/** `hook(module, gradInput, gradOutput)`; a returned array (one tensor or null per gradInput) replaces gradInput; undefined keeps it. */
export type FullBackwardHook = (module: Module, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) => unknown;

interface ModuleHooks {
  nextId: number;
  forwardPre: Map<number, ForwardPreHook>;
  forward: Map<number, ForwardHook>;
  backward: Map<number, FullBackwardHook>;
}

/**
 * A function object with `proto` as prototype that calls its own `_call` (see the file comment);
 * deepCopy() builds copies on it too.
 */
function callableModule(proto: object): Module {
  const f = ((...inputs: unknown[]) => (f as unknown as Module)._call(inputs)) as unknown as Module;
  // Arrow functions own `name` and `length`; drop them so subclasses may use those names.
  delete (f as unknown as { name?: string }).name;
  delete (f as unknown as { length?: number }).length;
  Object.setPrototypeOf(f, proto);
  return f;
}

function validateName(module: Module, name: string, kind: string): void {
  if (typeof name !== 'string') throw new TypeError(`${kind} name should be a string. Got ${typeof name}`);
  if (name === '') throw new Error(`${kind} name can't be empty string ""`);
  if (name.includes('.')) throw new Error(`${kind} name can't contain ".", got: ${name}`);
  if (name in Module.prototype || (name in module && !Object.hasOwn(module, name))) {
    throw new Error(`attribute '${name}' already exists`);
  }
}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above only adds the call signature of the function object the constructor returns.
export class Module {
  /** Whether the module is in training mode (train()/eval()). */
  declare training: boolean;
  /** @internal */ declare _internals: ModuleInternals;

  constructor() {
    const f = callableModule(new.target.prototype);
    Object.defineProperty(f, '_internals', {
      value: { buffers: new Set<string>(), nonPersistent: new Set<string>() },
      enumerable: false,
      writable: true,
      configurable: true,
    });
    Object.defineProperty(f, 'training', { value: true, enumerable: false, writable: true, configurable: true });
    // biome-ignore lint/correctness/noConstructorReturn: a module is a callable function object (model(x)): the constructor returns that function, carrying the subclass prototype.
    return f;
  }

  /** The computation; subclasses override it. `model(x)` calls it. */
  // biome-ignore lint/suspicious/noExplicitAny: each subclass narrows forward's arguments and result (PyTorch's untyped forward).
  forward(..._inputs: any[]): any {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** @internal `model(x)`: forward, with the registered hooks around it (PyTorch's _call_impl). */
  _call(inputs: unknown[]): unknown {
    const hooks = this._internals.hooks;
    if (hooks === undefined) return this.forward(...inputs);
    return callWithHooks(this, hooks, inputs);
  }

  // ------------------------------------------------------------------ hooks

  private hookTable(): ModuleHooks {
    this._internals.hooks ??= { nextId: 0, forwardPre: new Map(), forward: new Map(), backward: new Map() };
    return this._internals.hooks;
  }

  private addHook<K extends 'forwardPre' | 'forward' | 'backward'>(
    kind: K,
    hook: ModuleHooks[K] extends Map<number, infer H> ? H : never,
  ): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError(`a ${kind} hook must be a function, got ${describe(hook)}`);
    const table = this.hookTable();
    const id = table.nextId++;
    (table[kind] as Map<number, typeof hook>).set(id, hook);
    return { remove: () => void (table[kind] as Map<number, typeof hook>).delete(id) };
  }

  /**
   * `hook(module, inputs)` runs before every forward; returning an array (or a single value)
   * replaces the inputs. Returns a handle whose remove() unregisters it.
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return this.addHook('forwardPre', hook);
  }

  /** `hook(module, inputs, output)` runs after every forward; a returned value replaces the output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return this.addHook('forward', hook);
  }

  /**
   * `hook(module, gradInput, gradOutput)` runs when the gradients with respect to the module's
   * tensor inputs are computed (gradInput: one per positional input, null for non-tensors and for
   * inputs that need no gradient; gradOutput: one per tensor output). Returning an array replaces
   * gradInput. As in PyTorch, the inputs and outputs pass through an identity op so the hook sees
   * the module's own gradients; a module that modifies its inputs in place is not supported.
   */
  registerFullBackwardHook(hook: FullBackwardHook): RemovableHandle {
    return this.addHook('backward', hook);
  }

  // ------------------------------------------------------------------ registration

  /**
   * Own (name, value) pairs in registration order. Containers override this to keep their own
   * order (JavaScript lists integer-like property names first).
   * @internal
   */
  _ownEntries(): [string, unknown][] {
    return Object.keys(this).map((k) => [k, (this as unknown as Record<string, unknown>)[k]]);
  }

  private setOwn(name: string, value: unknown): void {
    Object.defineProperty(this, name, { value, enumerable: true, writable: true, configurable: true });
  }

  /** Add a parameter (or null, a declared-but-absent parameter such as a disabled bias). */
  registerParameter(name: string, param: Parameter | null): void {
    validateName(this, name, 'parameter');
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(
        `cannot assign '${describe(param)}' object to parameter '${name}' (nn.Parameter or null required)`,
      );
    }
    if (this._internals.buffers.has(name)) throw new Error(`attribute '${name}' already exists`);
    this.setOwn(name, param);
  }

  /** Add a child module (or null). */
  registerModule(name: string, module: Module | null): void {
    validateName(this, name, 'module');
    if (module !== null && !(module instanceof Module))
      throw new TypeError(`${describe(module)} is not a Module subclass`);
    this.setOwn(name, module);
  }

  /** Alias of registerModule. */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /**
   * A buffer: module state that is not a parameter (BatchNorm's running statistics). Persistent
   * buffers are part of stateDict(). `tensor` may be null (declared but absent).
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    validateName(this, name, 'buffer');
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${describe(tensor)}' object to buffer '${name}' (Tensor or null required)`);
    }
    if (tensor instanceof Parameter)
      throw new Error(`cannot register a Parameter as buffer '${name}' (use registerParameter)`);
    if (Object.hasOwn(this, name) && !this._internals.buffers.has(name)) {
      throw new Error(`attribute '${name}' already exists`);
    }
    if (tensor !== null) keep(tensor);
    this._internals.buffers.add(name);
    if (persistent) this._internals.nonPersistent.delete(name);
    else this._internals.nonPersistent.add(name);
    this.setOwn(name, tensor);
  }

  // ------------------------------------------------------------------ traversal

  /** @internal Own parameters in order (nulls skipped). */
  _ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [k, v] of this._ownEntries())
      if (v instanceof Parameter && !this._internals.buffers.has(k)) out.push([k, v]);
    return out;
  }

  /** @internal Own buffers in order (nulls skipped). */
  _ownBuffers(): [string, Tensor, boolean][] {
    const out: [string, Tensor, boolean][] = [];
    const { buffers, nonPersistent } = this._internals;
    for (const [k, v] of this._ownEntries()) {
      if (buffers.has(k) && v instanceof Tensor) out.push([k, v, !nonPersistent.has(k)]);
    }
    return out;
  }

  /** Direct children as [name, module] pairs. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [k, v] of this._ownEntries()) {
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        out.push([k, v]);
      }
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, with PyTorch's dotted names ('' for this one). */
  namedModules(prefix = '', removeDuplicate = true, memo: Set<Module> = new Set()): [string, Module][] {
    const out: [string, Module][] = [];
    if (removeDuplicate) {
      if (memo.has(this)) return out;
      memo.add(this);
    }
    out.push([prefix, this]);
    for (const [k, v] of this._ownEntries()) {
      if (!(v instanceof Module)) continue;
      out.push(...v.namedModules(prefix === '' ? k : `${prefix}.${k}`, removeDuplicate, memo));
    }
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  private namedMembers<T>(
    get: (m: Module) => [string, T][],
    prefix: string,
    recurse: boolean,
    removeDuplicate: boolean,
  ): [string, T][] {
    const mods: [string, Module][] = recurse ? this.namedModules(prefix, removeDuplicate) : [[prefix, this]];
    const seen = new Set<T>();
    const out: [string, T][] = [];
    for (const [modPrefix, mod] of mods) {
      for (const [name, value] of get(mod)) {
        if (removeDuplicate) {
          if (seen.has(value)) continue;
          seen.add(value);
        }
        out.push([modPrefix === '' ? name : `${modPrefix}.${name}`, value]);
      }
    }
    return out;
  }

  /** [name, parameter] pairs with dotted names ('0.weight', 'fc.bias'), shared ones once. */
  namedParameters(prefix = '', recurse = true, removeDuplicate = true): [string, Parameter][] {
    return this.namedMembers((m) => m._ownParameters(), prefix, recurse, removeDuplicate);
  }

  /** Every parameter (an array, so `model.parameters().reduce((n, p) => n + p.numel, 0)` counts them). */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = '', recurse = true, removeDuplicate = true): [string, Tensor][] {
    return this.namedMembers(
      (m) => m._ownBuffers().map(([k, t]) => [k, t] as [string, Tensor]),
      prefix,
      recurse,
      removeDuplicate,
    );
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /** Look up a descendant by dotted path ('linear_relu_stack.0'). */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let mod: Module = this;
    for (const item of target.split('.')) {
      const child = new Map(mod._ownEntries()).get(item);
      if (!(child instanceof Module))
        throw new Error(`${mod.constructor.name} has no attribute \`${item}\` (or it is not an nn.Module)`);
      mod = child;
    }
    return mod;
  }

  getParameter(target: string): Parameter {
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const name = target.slice(i + 1);
    const p = new Map(mod._ownParameters()).get(name);
    if (p === undefined) throw new Error(`${mod.constructor.name} has no parameter \`${name}\``);
    return p;
  }

  // ------------------------------------------------------------------ modes, devices, grads

  /** Set training mode on this module and every descendant. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError('training mode is expected to be boolean');
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Apply `fn` to every child (recursively) and then to this module, like PyTorch. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Move every parameter and buffer (and their grads) to `device` in place: the Parameter objects
   * stay the same, so an optimizer built before the move keeps valid references.
   */
  to(device: string): this {
    for (const p of this.parameters()) p._moveTo(device);
    for (const b of this.buffers()) b._moveTo(device);
    return this;
  }

  /** PyTorch's module.float(): parameters and buffers are float32 already, so this returns the module unchanged. */
  float(): this {
    return this;
  }

  /**
   * PyTorch's module.double(). Flint computes in float32 on every backend (no float64 dtype), so
   * this keeps float32 and returns the module unchanged: code written for PyTorch runs, in float32.
   */
  double(): this {
    return this;
  }

  /**
   * A deep copy (Python's copy.deepcopy(module)): new Parameters and buffers holding copies of the
   * values (and gradients), new child modules, the same structure, mode and hooks; modules or
   * tensors shared inside the original are shared once in the copy.
   */
  deepCopy(): this {
    return deepCopyModule(this, { callable: callableModule, Module, Parameter });
  }

  /** Reset parameter gradients: dropped (setToNone, the default) or zeroed in place. */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) {
        p.grad.dispose();
        p.grad = null;
      } else {
        const g = p.grad;
        noGrad(() => g.zero_());
      }
    }
  }

  /** Toggle requiresGrad on every parameter. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  // ------------------------------------------------------------------ state dict

  /**
   * Parameters and persistent buffers by PyTorch's key names, in PyTorch's order: this module's
   * parameters, its buffers, then each child's entries. Values are detached tensors that share
   * storage with the module's (`keepVars: true` returns the Parameters themselves).
   */
  stateDict(options: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = {};
    this.collectState(out, options.prefix ?? '', options.keepVars ?? false, new Set());
    return out;
  }

  private collectState(out: StateDict, prefix: string, keepVars: boolean, memo: Set<Module>): void {
    for (const [k, p] of this._ownParameters()) out[prefix + k] = keepVars ? p : p.detach();
    for (const [k, b, persistent] of this._ownBuffers()) if (persistent) out[prefix + k] = keepVars ? b : b.detach();
    for (const [k, child] of this._ownEntries()) {
      if (child instanceof Module) child.collectState(out, `${prefix}${k}.`, keepVars, memo);
    }
  }

  /**
   * Copy values from `stateDict` into this module's parameters and persistent buffers (in place,
   * so optimizers stay valid). With strict (the default), missing or unexpected keys are errors;
   * shape mismatches always are. Every problem is reported in one error, as PyTorch does, and
   * nothing is copied when there is one.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, strict = true): LoadStateDictResult {
    const source = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const targets = this.stateDict({ keepVars: true });
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const errors: string[] = [];
    for (const [key, target] of Object.entries(targets)) {
      const value = source.get(key);
      if (value === undefined) {
        missingKeys.push(key);
        continue;
      }
      if (!(value instanceof Tensor)) {
        errors.push(
          `While copying the parameter named "${key}", expected a Tensor from checkpoint but received ${describe(value)}`,
        );
      } else if (!shapesEqual(value.shape, target.shape)) {
        errors.push(
          `size mismatch for ${key}: copying a param with shape ${formatShape(value.shape)} from checkpoint, the shape in current model is ${formatShape(target.shape)}.`,
        );
      }
    }
    for (const key of source.keys()) if (!(key in targets)) unexpectedKeys.push(key);
    if (strict) {
      if (unexpectedKeys.length > 0)
        errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
      if (missingKeys.length > 0)
        errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length > 0) {
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    }
    noGrad(() => {
      for (const [key, target] of Object.entries(targets)) {
        const value = source.get(key);
        if (value !== undefined && value !== target) target.copy_(value);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ------------------------------------------------------------------ printing

  /** Extra text inside the parentheses of this module's line (PyTorch's extra_repr). */
  extraRepr(): string {
    return '';
  }

  /** @internal The class name shown by toString(). */
  _getName(): string {
    return this.constructor.name;
  }

  toString(): string {
    const extra = this.extraRepr();
    const lines: string[] = extra === '' ? [] : extra.split('\n');
    for (const [k, child] of this._ownEntries()) {
      if (!(child instanceof Module)) continue;
      const text = child.toString().split('\n').join('\n  ');
      lines.push(`(${k}): ${text}`);
    }
    let main = `${this._getName()}(`;
    if (lines.length > 0) {
      if (extra !== '' && lines.length === 1 && !extra.includes('\n')) main += extra;
      else main += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${main})`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object' || typeof v === 'function') return (v as object).constructor?.name ?? typeof v;
  return typeof v;
}

/** Format PyTorch-style values in extraRepr: booleans as True/False, tuples as (a, b). */
export function reprValue(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return `(${v.map(reprValue).join(', ')}${v.length === 1 ? ',' : ''})`;
  if (typeof v === 'string') return `'${v}'`;
  return String(v);
}

/** A float as Python's repr prints it (1e-05, 0.1, 1.0). */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e16)) {
    return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(v);
}
