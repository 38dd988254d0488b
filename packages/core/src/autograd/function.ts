/**
 * Custom differentiable ops: torch.autograd.Function. A subclass defines static
 * `forward(ctx, ...args)` and `backward(ctx, ...gradOutputs)`; `MyFn.apply(...args)` runs forward
 * without recording and, when an input requires grad, records one node whose backward is the
 * subclass's. Tensors saved with `ctx.saveForBackward` belong to the graph: they are freed after
 * backward (unless retainGraph) or when nothing can reach the graph any more.
 */
import { createNode, saveForNode, setOutputNr, zerosForOutput, type Node, type SavedTensor } from './engine.js';
import { isGradEnabled, noGrad } from './grad-mode.js';
import { isTensor } from '../tensor/binding.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape, tryBroadcastShapes, shapesEqual } from '../backend/shape.js';
import { sumToShape } from '../ops/reduce.js';

/**
 * The `ctx` of a custom Function (PyTorch's FunctionCtx). Non-tensor values can be stored on it
 * as properties; type them with an intersection, `ctx: autograd.FunctionCtx & { alpha: number }`.
 * Tensors needed in backward go through saveForBackward (a property holding a tensor is not kept
 * alive and is not checked for in-place changes).
 */
export class FunctionCtx {
  /** Per forward argument: whether backward must compute its gradient (a tensor that requires grad). */
  readonly needsInputGrad: readonly boolean[];
  /** @internal */ _toSave: readonly Tensor[] = [];
  /** @internal */ _saved: SavedTensor[] | null = null;
  /** @internal */ readonly _nonDifferentiable = new Set<Tensor>();
  /** @internal */ _materializeGrads = true;
  /** @internal */ readonly _name: string;

  /** @internal */
  constructor(name: string, needsInputGrad: readonly boolean[]) {
    this._name = name;
    this.needsInputGrad = needsInputGrad;
  }

  /** Keep tensors (inputs or outputs of forward) for backward; call it in forward, once. */
  saveForBackward(...tensors: Tensor[]): void {
    for (const [i, t] of tensors.entries()) {
      if (!isTensor(t)) throw new Error(`saveForBackward: argument ${i} of ${this._name}.forward is not a Tensor`);
    }
    this._toSave = tensors;
  }

  /** The tensors saveForBackward kept (in backward). */
  get savedTensors(): Tensor[] {
    if (this._saved === null) {
      throw new Error(
        `${this._name}: savedTensors is only available in backward (after forward returned and an input required grad)`,
      );
    }
    return this._saved.map((s) => s.get());
  }

  /** Outputs that are not differentiable (indices, masks): they do not require grad; their gradients in backward are zeros. */
  markNonDifferentiable(...outputs: Tensor[]): void {
    for (const t of outputs) this._nonDifferentiable.add(t);
  }

  /** false: backward receives null (not zeros) for outputs no gradient reached. */
  setMaterializeGrads(value: boolean): void {
    this._materializeGrads = value;
  }
}

type Grads = Tensor | null | undefined | readonly (Tensor | null | undefined)[];

/** The static side every Function subclass has. */
export interface FunctionClass {
  readonly name: string;
  forward(ctx: never, ...args: never[]): unknown;
  backward(ctx: never, ...gradOutputs: never[]): Grads;
}

type ForwardArgs<F extends FunctionClass> = F['forward'] extends (ctx: never, ...args: infer A) => unknown ? A : never;

/**
 * Base class of custom ops (torch.autograd.Function):
 *
 * ```ts
 * class Exp extends autograd.Function {
 *   static override forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
 *     const y = x.exp();
 *     ctx.saveForBackward(y);
 *     return y;
 *   }
 *   static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
 *     const [y] = ctx.savedTensors;
 *     return g.mul(y!);
 *   }
 * }
 * const y = Exp.apply(x);
 * ```
 *
 * forward runs under noGrad; it returns a tensor or an array of tensors (non-tensor values pass
 * through). backward returns one gradient per forward argument (null for non-tensor arguments and
 * for inputs that need none), or a single tensor when forward took one argument; a gradient whose
 * shape the input broadcasts to is summed down to it. backward's own ops are recorded under
 * createGraph, so a backward written in differentiable ops gives higher-order gradients.
 */
// biome-ignore lint/complexity/noStaticOnlyClass: PyTorch's API: subclasses define static forward/backward and call MyFn.apply
export class AutogradFunction {
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): unknown {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass, whose name the error gives
    throw new Error(`${this.name} must define static forward(ctx, ...args)`);
  }

  static backward(_ctx: FunctionCtx, ..._gradOutputs: Tensor[]): Grads {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass, whose name the error gives
    throw new Error(`${this.name} must define static backward(ctx, ...gradOutputs) to be differentiated`);
  }

  /** Run the op: `MyFn.apply(x, y, 2)`. */
  static apply<F extends FunctionClass>(this: F, ...args: ForwardArgs<F>): ReturnType<F['forward']> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass whose forward/backward run
    return applyFunction(this, args as readonly unknown[]) as ReturnType<F['forward']>;
  }
}

interface Untyped {
  readonly name: string;
  forward(ctx: FunctionCtx, ...args: unknown[]): unknown;
  backward(ctx: FunctionCtx, ...gradOutputs: (Tensor | null)[]): Grads;
}

function applyFunction(cls: FunctionClass, args: readonly unknown[]): unknown {
  const fn = cls as unknown as Untyped;
  const name = fn.name || 'Function';
  const gradOn = isGradEnabled();
  const needsInputGrad = args.map((a) => gradOn && isTensor(a) && a.requiresGrad);
  const ctx = new FunctionCtx(name, needsInputGrad);
  const recordGraph = needsInputGrad.some((n) => n);
  return tidy(() => {
    const raw = noGrad(() => fn.forward(ctx, ...args));
    if (raw instanceof Promise) throw new Error(`${name}.forward must be synchronous`);
    if (!recordGraph) return raw;
    const many = Array.isArray(raw);
    const outputs: unknown[] = many ? [...(raw as unknown[])] : [raw];
    const inputs = args.filter(isTensor);
    // An input returned as it is (or an output returned twice) gets its own tensor object, so
    // pointing it at this node does not rewrite the input's history.
    const seen = new Set<Tensor>(inputs);
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs[i];
      if (!isTensor(o)) continue;
      if (seen.has(o)) {
        const alias = o._alias();
        if (ctx._nonDifferentiable.has(o)) ctx._nonDifferentiable.add(alias);
        outputs[i] = alias;
      } else seen.add(outputs[i] as Tensor);
    }
    const tensorOutputs = outputs.filter(isTensor);
    const node = createNode(name, inputs, tensorOutputs);
    node.untrusted = true;
    tensorOutputs.forEach((t, nr) => {
      if (t.dtype !== 'float32' || ctx._nonDifferentiable.has(t)) return;
      t.requiresGrad = true;
      t.gradFn = node;
      setOutputNr(t, nr);
    });
    ctx._saved = saveForNode(node, ctx._toSave);
    ctx._toSave = [];
    node.backwardFn = (grads) => runUserBackward(fn, ctx, node, args, grads);
    return many ? outputs : outputs[0];
  });
}

function runUserBackward(
  fn: Untyped,
  ctx: FunctionCtx,
  node: Node,
  args: readonly unknown[],
  grads: readonly (Tensor | null)[],
): (Tensor | null)[] {
  const name = node.displayName();
  const gradOutputs = grads.map((g, nr) => g ?? (ctx._materializeGrads ? zerosForOutput(node, nr) : null));
  const result = fn.backward(ctx, ...gradOutputs);
  const list: readonly (Tensor | null | undefined)[] = Array.isArray(result)
    ? (result as readonly (Tensor | null | undefined)[])
    : [result as Tensor | null | undefined];
  if (list.length < args.length || list.slice(args.length).some((g) => g !== null && g !== undefined)) {
    throw new Error(
      `function ${name} returned an incorrect number of gradients (expected ${args.length}, got ${list.length})`,
    );
  }
  const out: (Tensor | null)[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const g = list[i] ?? null;
    if (!isTensor(arg)) {
      if (g !== null) {
        throw new Error(
          `function ${name} returned a gradient different than null at position ${i}, but the corresponding forward input was not a Tensor`,
        );
      }
      continue;
    }
    if (g === null || !arg.requiresGrad) {
      out.push(null);
      continue;
    }
    if (!isTensor(g)) throw new Error(`function ${name} returned a ${typeof g} as the gradient at position ${i}`);
    out.push(fitGradient(name, g, arg, i));
  }
  return out;
}

/** PyTorch's validate_outputs: a gradient the input broadcasts to is summed down to the input's shape. */
function fitGradient(name: string, g: Tensor, input: Tensor, i: number): Tensor {
  if (shapesEqual(g.shape, input.shape)) return g;
  const joint = tryBroadcastShapes(input.shape, g.shape);
  if (joint === null || !shapesEqual(joint, g.shape)) {
    throw new Error(
      `Function ${name} returned an invalid gradient at index ${i} - got ${formatShape(g.shape)} but expected shape compatible with ${formatShape(input.shape)}`,
    );
  }
  return sumToShape(g, input.shape);
}
