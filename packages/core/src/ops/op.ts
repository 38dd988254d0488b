/**
 * The op boundary: every op in core runs through `op()` (as TensorFlow.js's ops run through its
 * `op()`), and `op()` owns what each op would otherwise write by hand.
 *
 * - Memory: the body runs in a scope. Every tensor created inside it and not returned (casts,
 *   scalar constants, the steps of a composition, reshaped views) is freed when the body returns,
 *   and everything it made is freed when it throws. Tensors saved for backward stay alive through
 *   the graph (record() keeps its own aliases). So an op body never calls `dispose()` and tracks
 *   no "was this a temporary" flags.
 * - Devices and dtypes: with a tensor list, op() checks that they are on one device (PyTorch's
 *   "Expected all tensors to be on the same device" error) and hands the body that backend; an
 *   OpSpec with `float: true` also requires each of them to be float32.
 * - Autograd: inside the body, `recordGrad(out, inputs, save, rule)` records `out` under the op's
 *   name. The rule receives the output gradient and the saved tensors (already checked against
 *   in-place modification) and returns one gradient per input (null where none). The engine runs
 *   every rule in a scope of its own too, so rules never dispose their intermediates either.
 *
 * An op body is then a composition (other ops) or a kernel call, plus a gradient rule:
 *
 * ```ts
 * const LEAKY_RELU: OpSpec = { name: 'leakyRelu', float: true };
 * export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
 *   return op(LEAKY_RELU, [x], (backend) => {
 *     const out = output(backend, backend.kernels.leakyRelu(x.ref, slope), x.shape, x.dtype);
 *     return recordGrad(out, [x], [x], (g, [sx]) => [g.mul(where(sx!.gt(0), 1, slope))]);
 *   });
 * }
 * ```
 *
 * A composition needs no gradient rule (its steps record their own) and may skip the tensor list
 * when its steps check devices themselves: `op('logsumexp', () => ...)`. A composition with a
 * gradient of its own (a custom, more exact rule) computes its forward under `noGrad()` and then
 * calls recordGrad. Optional kernels (kernels.ts) follow the same shape: call the backend's kernel
 * when it has one, else the composition, and record one rule for both.
 *
 * The one exception: a view or single kernel call on one tensor that makes nothing but its result
 * (reshape, permute, expand, slice, clone) calls `recordGrad(..., name)` without op(): it has no
 * temporary to free and no devices to compare, and a scope would cost a third of the op.
 *
 * `recordsGrad(a, b)` says up front whether recordGrad will record (grad mode on and an input
 * requiring grad), so a hot op can skip building its save list when it will not.
 *
 * Cost: no allocation beyond the body's closure. Scopes are reused arrays (tensor/scope.ts) and an
 * op returning one tensor does not build a set of returned tensors.
 *
 * Tracing: `setOpTracer(t)` installs an observer (an exporter such as @flint/onnx) that op() tells
 * when each op starts (its name and tensor list) and what it returned. With none installed the cost
 * is one comparison per op.
 */
import type { Backend } from '../backend/kernels.js';
import { getBackend } from '../backend/registry.js';
import { needsGrad, record } from '../autograd/engine.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { abandonScope, closeScope, openScope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { commonBackend, requireFloat } from './util.js';

/** An op's name and the dtype checks op() makes on its tensors. Declare it once, at module level. */
export interface OpSpec {
  /** The name errors use and the autograd node gets (PyTorch's grad_fn is `<Name>Backward`). */
  readonly name: string;
  /** Every tensor in the list handed to op() must be float32. */
  readonly float?: boolean;
}

/** A gradient rule: the output gradient and the saved tensors in, one gradient per input out. */
export type GradRule = (g: Tensor, saved: readonly Tensor[]) => readonly (Tensor | null)[];

/** The name of the innermost op running (recordGrad names its node after it). */
let current = '';

/** An observer of the op boundary. Nested ops (a composition's steps) are reported too, innermost last. */
export interface OpTracer {
  /** Op `name` starts; `tensors` is the list handed to op() (empty when the op passed none). */
  enter(name: string, tensors: readonly Tensor[]): void;
  /** The op that started last returned `result`. Not called when its body threw. */
  exit(name: string, result: unknown): void;
}

let tracer: OpTracer | undefined;

/** Install `next` as the op tracer (undefined removes it); returns the one it replaces, to restore. */
export function setOpTracer(next: OpTracer | undefined): OpTracer | undefined {
  const previous = tracer;
  tracer = next;
  return previous;
}

/** Run `body` as op `spec`: its temporaries are freed, whatever it returns is the result. */
export function op<T>(spec: string | OpSpec, body: () => T): T;
/** As above, after checking `tensors` share a device (and dtype, per spec); the body gets that backend. */
export function op<T>(spec: string | OpSpec, tensors: readonly Tensor[], body: (backend: Backend<unknown>) => T): T;
export function op<T>(
  spec: string | OpSpec,
  tensorsOrBody: readonly Tensor[] | (() => T),
  maybeBody?: (backend: Backend<unknown>) => T,
): T {
  const name = typeof spec === 'string' ? spec : spec.name;
  let body: (backend: Backend<unknown>) => T;
  let backend: Backend<unknown>;
  if (maybeBody === undefined) {
    body = tensorsOrBody as () => T;
    backend = undefined as unknown as Backend<unknown>;
  } else {
    const tensors = tensorsOrBody as readonly Tensor[];
    body = maybeBody;
    backend = tensors.length === 0 ? getBackend() : commonBackend(name, tensors);
    if (typeof spec !== 'string' && spec.float === true) for (const t of tensors) requireFloat(name, t);
  }
  const outer = current;
  current = name;
  if (tracer !== undefined) tracer.enter(name, maybeBody === undefined ? [] : (tensorsOrBody as readonly Tensor[]));
  openScope();
  let result: T;
  try {
    result = body(backend);
  } catch (error) {
    abandonScope();
    current = outer;
    throw error;
  }
  closeScope(result);
  current = outer;
  if (tracer !== undefined) tracer.exit(name, result);
  return result;
}

/**
 * Record `out` (made inside an op body) as the op's result on `inputs`: when grad mode is on and an
 * input requires grad, a node named after the running op keeps `save` for backward, where `rule`
 * turns the output gradient into one gradient per input. Returns `out`.
 *
 * `name` is for the one kind of op that skips op(): a view or a single kernel call on one tensor
 * (reshape, permute, expand, slice, clone), which makes nothing but its result, so there is no
 * temporary to free and no device to compare. They are the most frequent ops (every gradient that
 * sums over broadcast dims reshapes), and the scope would be a third of their cost.
 */
export function recordGrad(
  out: Tensor,
  inputs: readonly Tensor[],
  save: readonly Tensor[],
  rule: GradRule,
  name: string = current,
): Tensor {
  if (!needsGrad(inputs)) return out;
  return record(name, out, inputs, save, (saved) => (g) => {
    const values = new Array<Tensor>(saved.length);
    for (let i = 0; i < saved.length; i++) values[i] = saved[i]!.get();
    return rule(g, values);
  });
}

/** Whether an op on these inputs records a node (grad mode is on and one of them requires grad). */
export function recordsGrad(a: Tensor, b?: Tensor): boolean {
  return isGradEnabled() && (a.requiresGrad || b?.requiresGrad === true);
}
