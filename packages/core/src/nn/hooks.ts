/**
 * Module hooks (forward pre-hooks, forward hooks, full backward hooks) and the module deep copy.
 * Module's call path and deepCopy() use these; they live here to keep module.ts about registration
 * and traversal.
 */
import { isGradEnabled, noGrad } from '../autograd/grad-mode.js';
import { AutogradFunction, type FunctionCtx } from '../autograd/function.js';
import { keep } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { PackedSequence } from './rnn-utils.js';
import type { ForwardHook, ForwardPreHook, FullBackwardHook, Module, Parameter } from './module.js';

interface HookTable {
  forwardPre: Map<number, ForwardPreHook>;
  forward: Map<number, ForwardHook>;
  backward: Map<number, FullBackwardHook>;
}

type GradsCallback = (grads: (Tensor | null)[]) => (Tensor | null)[];

/**
 * Identity on its tensor arguments, whose backward hands the incoming gradients to a callback
 * (PyTorch's BackwardHookFunction): one sits on a module's inputs, one on its outputs.
 */
class BackwardHookIdentity extends AutogradFunction {
  static override forward(
    ctx: FunctionCtx & { onBackward: GradsCallback },
    onBackward: GradsCallback,
    ...tensors: Tensor[]
  ): Tensor[] {
    ctx.onBackward = onBackward;
    ctx.setMaterializeGrads(false);
    return tensors;
  }

  static override backward(
    ctx: FunctionCtx & { onBackward: GradsCallback },
    ...grads: (Tensor | null)[]
  ): (Tensor | null)[] {
    return [null, ...ctx.onBackward(grads)];
  }
}

const needsGrad = (v: unknown): v is Tensor => v instanceof Tensor && v.requiresGrad;

/** Tensors inside an output (a tensor or nested arrays of them), depth first. */
function tensorsOf(v: unknown, out: Tensor[] = []): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v) tensorsOf(x, out);
  return out;
}

/** `v` with its tensors replaced, in tensorsOf's order, by `next()`. */
function replaceTensors(v: unknown, next: () => Tensor): unknown {
  if (v instanceof Tensor) return next();
  if (v instanceof PackedSequence) {
    const [data, sizes, sorted, unsorted] = v.map((x) => replaceTensors(x, next)) as (Tensor | null)[];
    const p = new PackedSequence(data!, sizes!, sorted ?? null, unsorted ?? null, v.batchSizesList);
    p._unsortedHost = v._unsortedHost;
    return p;
  }
  if (Array.isArray(v)) return v.map((x) => replaceTensors(x, next));
  return v;
}

function runBackwardHooks(
  module: Module,
  hooks: HookTable,
  gradInput: (Tensor | null)[],
  gradOutput: (Tensor | null)[],
): (Tensor | null)[] {
  let current = gradInput;
  for (const hook of [...hooks.backward.values()]) {
    const r = hook(module, current, gradOutput);
    if (r === undefined || r === null) continue;
    if (!Array.isArray(r) || r.length !== current.length || r.some((g) => g !== null && !(g instanceof Tensor))) {
      throw new Error(
        `backward hook returned an invalid number of grad_input, got ${Array.isArray(r) ? r.length : 1}, but expected ${current.length}`,
      );
    }
    current = r as (Tensor | null)[];
  }
  return current;
}

/** Module._call with hooks: pre-hooks, input wrapping, forward, forward hooks, output wrapping. */
export function callWithHooks(module: Module, hooks: HookTable, inputs: unknown[]): unknown {
  let args = inputs;
  for (const hook of [...hooks.forwardPre.values()]) {
    const r = hook(module, args);
    if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
  }
  const backward = hooks.backward.size > 0 && isGradEnabled();
  let gradOutput: (Tensor | null)[] | null = null;
  const inputsNeedGrad = backward && args.some(needsGrad);
  if (inputsNeedGrad) {
    const positions = args.flatMap((a, i) => (a instanceof Tensor ? [i] : []));
    const onInputGrads: GradsCallback = (grads) => {
      const gradInput: (Tensor | null)[] = args.map(() => null);
      positions.forEach((pos, k) => {
        gradInput[pos] = needsGrad(args[pos]) ? (grads[k] ?? null) : null;
      });
      const replaced = runBackwardHooks(module, hooks, gradInput, gradOutput ?? []);
      for (const g of gradOutput ?? []) g?.dispose();
      gradOutput = null;
      return positions.map((pos) => replaced[pos] ?? null);
    };
    const wrapped = BackwardHookIdentity.apply(onInputGrads, ...positions.map((i) => args[i] as Tensor));
    args = [...args];
    positions.forEach((pos, k) => {
      args[pos] = wrapped[k];
    });
  }
  let output = module.forward(...args);
  for (const hook of [...hooks.forward.values()]) {
    const r = hook(module, args, output);
    if (r !== undefined) output = r;
  }
  if (backward) {
    const outs = tensorsOf(output);
    if (outs.some(needsGrad)) {
      const onOutputGrads: GradsCallback = (grads) => {
        // Without a tensor input that needs grad no input identity runs: the hooks run here.
        // Otherwise the input identity runs them later, after the engine has freed these
        // gradients: it gets aliases of them (sharing storage), which it frees.
        if (inputsNeedGrad) gradOutput = grads.map((g) => (g === null ? null : keep(g._alias())));
        else {
          runBackwardHooks(
            module,
            hooks,
            args.map(() => null),
            grads,
          );
        }
        return grads;
      };
      const wrapped = BackwardHookIdentity.apply(onOutputGrads, ...outs);
      let k = 0;
      output = replaceTensors(output, () => wrapped[k++]!);
    }
  }
  return output;
}

/**
 * copy.deepcopy of a module: every own property is copied (modules, Parameters, tensors, Maps,
 * Sets, arrays and plain objects recursively; functions and other objects by reference), with a
 * memo so that shared members stay shared.
 */
export interface ModuleClasses {
  /** A bare callable module object on `proto` (what Module's constructor builds). */
  callable(proto: object): Module;
  Module: abstract new (...args: never[]) => Module;
  Parameter: { adopt(data: Tensor, requiresGrad?: boolean): Parameter } & (abstract new (
    ...args: never[]
  ) => Parameter);
}

export function deepCopyModule<M extends Module>(module: M, classes: ModuleClasses): M {
  const { callable, Module, Parameter } = classes;
  const memo = new Map<unknown, unknown>();
  const copy = (v: unknown): unknown => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
    if (memo.has(v)) return memo.get(v);
    if (v instanceof Module) {
      const m = callable(Object.getPrototypeOf(v) as object);
      memo.set(v, m);
      for (const key of Reflect.ownKeys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, key)!;
        if ('value' in d) d.value = copy(d.value);
        Object.defineProperty(m, key, d);
      }
      return m;
    }
    if (v instanceof Tensor) {
      const t = noGrad(() => v.detach().clone());
      let out: Tensor;
      if (v instanceof Parameter) out = Parameter.adopt(t, v.requiresGrad);
      else {
        out = keep(t);
        if (v.requiresGrad && v.isLeaf) out.requiresGrad_(true);
      }
      if (v.grad !== null) {
        const g = v.grad;
        out.grad = keep(noGrad(() => g.clone()));
      }
      memo.set(v, out);
      return out;
    }
    if (v instanceof Map) {
      const m = new Map();
      memo.set(v, m);
      for (const [k, x] of v) m.set(k, copy(x));
      return m;
    }
    if (v instanceof Set) {
      const s = new Set();
      memo.set(v, s);
      for (const x of v) s.add(copy(x));
      return s;
    }
    if (Array.isArray(v)) {
      const a: unknown[] = [];
      memo.set(v, a);
      for (const x of v) a.push(copy(x));
      return a;
    }
    const proto = Object.getPrototypeOf(v) as object | null;
    if (typeof v === 'object' && (proto === Object.prototype || proto === null)) {
      const o = Object.create(proto) as Record<string | symbol, unknown>;
      memo.set(v, o);
      for (const key of Reflect.ownKeys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, key)!;
        if ('value' in d) d.value = copy(d.value);
        Object.defineProperty(o, key, d);
      }
      return o;
    }
    return v;
  };
  return copy(module) as M;
}
