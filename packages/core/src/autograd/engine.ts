/**
 * Autograd: each differentiable op records a Node (an edge per input, the tensors it saved, a
 * backward closure). The engine walks the graph from the outputs in reverse topological order,
 * sums the gradients reaching each node, runs its rule and either accumulates into `.grad` of
 * leaves (backward) or hands the gradients of chosen inputs back (autograd.grad). Gradient rules are
 * written once, in core, with core ops, so they run on every backend and, with createGraph, are
 * themselves recorded (higher-order gradients).
 */
import { isGradEnabled, noGrad, enableGrad } from './grad-mode.js';
import { anomalyChecks, isAnomalyEnabled } from './anomaly.js';
import { keep, keepOwned, tidy } from '../tensor/scope.js';
import { isTensor, tensorFromHandle } from '../tensor/binding.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Storage } from '../tensor/storage.js';
import type { Backend, DType, Shape } from '../backend/kernels.js';
import { formatShape, shapesEqual } from '../backend/shape.js';

export type BackwardFn = (gradOutput: Tensor) => readonly (Tensor | null)[];
/** A node with several outputs: one gradient per output (null where none reached it). */
export type MultiBackwardFn = (gradOutputs: readonly (Tensor | null)[]) => readonly (Tensor | null | undefined)[];

/** A tensor hook: sees the gradient; returning a tensor (same shape) replaces it. */
export type GradHook = (grad: Tensor) => Tensor | undefined;

/** What registerHook returns (PyTorch's RemovableHandle). */
export interface RemovableHandle {
  remove(): void;
}

const INFERENCE_SAVE_ERROR =
  'Inference tensors cannot be saved for backward. To work around you can make a clone to get a normal tensor and use it in autograd.';

/** Which output of its node a tensor is (custom Functions have several); absent means 0. */
const outputNumbers = new WeakMap<Tensor, number>();

function outputNrOf(t: Tensor): number {
  return outputNumbers.get(t) ?? 0;
}

/** @internal Make `t` output `nr` of `node` (t.gradFn is set by the caller). */
export function setOutputNr(t: Tensor, nr: number): void {
  if (nr === 0) outputNumbers.delete(t);
  else outputNumbers.set(t, nr);
}

/** A tensor kept alive for the backward pass (shares storage; detects in-place modification). */
export class SavedTensor {
  private version: number;
  private tensor: Tensor | null;
  constructor(
    original: Tensor,
    private readonly opName: string,
  ) {
    if (original._inference) throw new Error(INFERENCE_SAVE_ERROR);
    // Owned by the graph, not by any enclosing tidy() scope.
    const alias = keepOwned(original._alias());
    alias._weakGradFn = true; // a node saving its own output must not keep itself alive
    // Keep the alias connected to the graph, so a createGraph backward can differentiate through
    // saved values (a saved output included: record() sets its gradFn before saving it);
    // gradients reaching a saved leaf go to the original leaf.
    alias.requiresGrad = original.requiresGrad;
    alias.gradFn = original.gradFn;
    setOutputNr(alias, outputNrOf(original));
    alias._gradTarget = original.gradFn === null ? (original._gradTarget ?? original) : null;
    this.tensor = alias;
    this.version = original._storage.version;
  }

  get(): Tensor {
    const t = this.tensor;
    if (t === null) {
      throw new Error(
        `Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed) in ${backwardName(this.opName)}. Saved intermediate values of the graph are freed when you call backward() or autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.`,
      );
    }
    if (t._storage.version !== this.version) {
      throw new Error(
        `One of the variables needed for gradient computation has been modified by an inplace operation: the tensor of shape ${formatShape(t.shape)} saved by ${backwardName(this.opName)} is at version ${t._storage.version}; expected version ${this.version} instead.`,
      );
    }
    return t;
  }

  release(): void {
    this.tensor?.dispose();
    this.tensor = null;
  }

  /**
   * @internal An in-place op is about to overwrite `storage`, which this (saved by that op's own
   * node) shares: keep a copy of the old value, as PyTorch saves the original self.
   */
  preserveFrom(storage: Storage): void {
    const t = this.tensor;
    if (t === null || t._storage !== storage) return;
    const b = t.backend;
    const copy = keepOwned(tensorFromHandle(b, b.kernels.copy(t.ref), t.shape, t.dtype));
    copy._weakGradFn = true;
    copy.requiresGrad = t.requiresGrad;
    copy.gradFn = t.gradFn;
    setOutputNr(copy, outputNrOf(t));
    copy._gradTarget = t._gradTarget;
    t.dispose();
    this.tensor = copy;
    this.version = copy._storage.version;
  }
}

const savedRegistry = new FinalizationRegistry<SavedTensor[]>((saved) => {
  for (const s of saved) s.release();
});

/** The name PyTorch's grad_fn would print: mul -> MulBackward. */
function backwardName(opName: string): string {
  return `${opName.charAt(0).toUpperCase()}${opName.slice(1)}Backward`;
}

/** Where the gradient of one input goes: the node (and output) that produced it, or a leaf. */
interface Edge {
  readonly node: Node | null;
  readonly outputNr: number;
  /** For a leaf: the tensor whose `.grad` receives it. */
  readonly leaf: Tensor | null;
}

interface OutputInfo {
  readonly backend: Backend<unknown>;
  readonly shape: Shape;
  readonly dtype: DType;
}

let nodeCounter = 0;

export class Node {
  readonly id = nodeCounter++;
  released = false;
  /** Live tensors whose gradFn is this node, plus downstream nodes using its output. */
  private refs = 0;
  private inputsDropped = false;
  /** @internal One per input (null: that input does not require grad), fixed when recorded. */
  readonly edges: readonly (Edge | null)[];
  /** @internal Shapes of the inputs, which the rule's gradients must have. */
  readonly inputShapes: readonly Shape[];
  /** @internal */ backwardFn: MultiBackwardFn = () => [];
  /** @internal */ saved: SavedTensor[] = [];
  /** @internal Tensor hooks of the outputs (registerHook on a non-leaf), per output; made on first use. */
  hooks: GradHook[][] | null = null;
  /** @internal Non-leaf tensors that retainGrad(), per output; made on first use. */
  retained: Set<Tensor>[] | null = null;
  /** @internal Its rule is user code (a custom Function), which may return any tensor. */
  untrusted = false;
  /** @internal The stack of the forward call (recorded in anomaly mode). */
  readonly forwardStack: string | null;

  constructor(
    readonly name: string,
    inputs: readonly Tensor[],
    /** @internal */ readonly outputs: readonly OutputInfo[],
  ) {
    this.edges = inputs.map(edgeOf);
    this.inputShapes = inputs.map((t) => t.shape);
    this.forwardStack = isAnomalyEnabled() ? (new Error().stack ?? null) : null;
  }

  /** PyTorch's grad_fn.name(): MulBackward, MyFunctionBackward. */
  displayName(): string {
    return backwardName(this.name);
  }

  /** PyTorch's grad_fn.next_functions: per input, the node its gradient flows to (null: a leaf or no gradient) and that node's output. */
  get nextFunctions(): readonly [Node | null, number][] {
    return this.edges.map((e) => [e?.node ?? null, e?.outputNr ?? 0]);
  }

  /** @internal */
  setSaved(saved: SavedTensor[]): void {
    this.saved = saved;
    if (saved.length > 0) savedRegistry.register(this, saved, this);
  }

  retain(): void {
    this.refs += 1;
  }

  /** No tensor or downstream node can reach this node any more: free what it saved. */
  drop(): void {
    this.refs -= 1;
    if (this.refs > 0 || this.inputsDropped) return;
    this.inputsDropped = true;
    this.release();
    for (const e of this.edges) e?.node?.drop();
  }

  /** Free the saved tensors (after backward, or when unreachable). */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const s of this.saved) s.release();
    savedRegistry.unregister(this);
  }
}

function edgeOf(t: Tensor): Edge | null {
  if (!t.requiresGrad) return null;
  const node = t.gradFn;
  if (node !== null) {
    node.retain();
    return { node, outputNr: outputNrOf(t), leaf: null };
  }
  return { node: null, outputNr: 0, leaf: t._gradTarget ?? t };
}

/** True when an op on these inputs must record a node. */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/** @internal A node for `outputs` of an op on `inputs` (custom Functions wire their outputs themselves). */
export function createNode(name: string, inputs: readonly Tensor[], outputs: readonly Tensor[]): Node {
  return new Node(
    name,
    inputs,
    outputs.map((t) => ({ backend: t.backend, shape: t.shape, dtype: t.dtype })),
  );
}

/** @internal Save `tensors` for `node`'s backward (after its outputs point to it). */
export function saveForNode(node: Node, tensors: readonly Tensor[]): SavedTensor[] {
  const saved = tensors.map((t) => new SavedTensor(t, node.name));
  node.setSaved(saved);
  return saved;
}

/**
 * Record `out = op(inputs)`. `save` lists tensors the backward closure will read; the closure
 * receives them (as SavedTensor) so tidy() cannot free them before backward runs.
 */
export function record(
  name: string,
  out: Tensor,
  inputs: readonly Tensor[],
  saveList: readonly Tensor[],
  makeBackward: (saved: SavedTensor[]) => BackwardFn,
): Tensor {
  if (!needsGrad(inputs)) return out;
  if (saveList.some((t) => t._inference)) {
    out.dispose();
    throw new Error(INFERENCE_SAVE_ERROR);
  }
  const node = createNode(name, inputs, [out]);
  out.requiresGrad = true;
  out.gradFn = node;
  const backward = makeBackward(saveForNode(node, saveList));
  node.backwardFn = (grads) => backward(grads[0]!);
  return out;
}

// ------------------------------------------------------------------ hooks and retained gradients

const leafHooks = new WeakMap<Tensor, GradHook[]>();

/** Tensor.registerHook: `hook(grad)` runs when the gradient of `t` is computed; a returned tensor replaces it. */
export function registerHook(t: Tensor, hook: GradHook): RemovableHandle {
  if (!t.requiresGrad) throw new Error("cannot register a hook on a tensor that doesn't require gradient");
  let list: GradHook[];
  const node = t.gradFn;
  if (node === null) {
    const leaf = t._gradTarget ?? t;
    list = leafHooks.get(leaf) ?? [];
    leafHooks.set(leaf, list);
  } else {
    node.hooks ??= node.outputs.map(() => []);
    list = node.hooks[outputNrOf(t)]!;
  }
  // A wrapper, so registering the same function twice gives two handles that each remove one.
  const entry: GradHook = (g) => hook(g);
  list.push(entry);
  return {
    remove: () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

/** Tensor.retainGrad: fill `.grad` of a non-leaf during backward() (a leaf retains anyway). */
export function retainGrad(t: Tensor): void {
  if (!t.requiresGrad) throw new Error("can't retain_grad on Tensor that has requires_grad=False");
  const node = t.gradFn;
  if (node === null) return;
  node.retained ??= node.outputs.map(() => new Set());
  node.retained[outputNrOf(t)]!.add(t);
  t._retainsGrad = true;
}

/**
 * @internal An in-place op (`opName`) is about to write `result` into `target`: `target` takes
 * over result's history (PyTorch rebases it), so later ops differentiate through the in-place op.
 */
export function rebaseHistory(target: Tensor, result: Tensor, opName: string): void {
  const node = result.gradFn;
  if (node !== null) {
    // x.mul_(w) needs the old x for w's gradient: the node keeps a copy of what is overwritten.
    for (const s of node.saved) s.preserveFrom(target._storage);
    target.requiresGrad = true;
    target.gradFn = node;
    setOutputNr(target, outputNrOf(result));
    return;
  }
  if (isGradEnabled() && target.requiresGrad && target.gradFn !== null) {
    // The new value does not depend on the old one (fill_, zero_, copy_ of a constant): the old
    // history receives a zero gradient (PyTorch's FillBackward / ZeroBackward).
    const zero = createNode(opName.replace(/_$/, ''), [target], [target]);
    zero.backwardFn = ([g]) => [zerosFor(g!)];
    target.gradFn = zero;
    setOutputNr(target, 0);
  }
}

// ------------------------------------------------------------------ running the graph

export interface BackwardOptions {
  /** Keep the graph (saved tensors) so backward can run again through it (default: createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass itself (for higher-order gradients). */
  createGraph?: boolean;
  /** Accumulate only into the `.grad` of these tensors (leaves or not); the default is every leaf. */
  inputs?: Tensor | readonly Tensor[];
}

/** An alias of `t` that keeps its place in the graph (so a createGraph gradient stays differentiable). */
function connectedAlias(t: Tensor): Tensor {
  const a = t._alias();
  a.requiresGrad = t.requiresGrad;
  a.gradFn = t.gradFn;
  setOutputNr(a, outputNrOf(t));
  // An alias of a leaf passes what reaches it on to that leaf.
  a._gradTarget = t.gradFn === null && t.requiresGrad ? (t._gradTarget ?? t) : null;
  return a;
}

/**
 * Run `call` (a rule, a hook) and sort what it returned: tensors made during the call belong to the
 * engine now; any other tensor (the incoming gradient, a saved tensor, one the program keeps) is
 * replaced by an alias, so freeing it later cannot free someone else's tensor.
 */
function runOwned<T>(probe: Tensor, call: () => T, take: (value: T) => readonly (Tensor | null | undefined)[]) {
  // Tensor ids only grow: an alias made now marks where the call's own tensors begin.
  const mark = probe._alias();
  const firstId = mark.id;
  mark.dispose();
  const value = tidy(call);
  return take(value).map((t) => {
    if (t === null || t === undefined) return null;
    if (!isTensor(t)) throw new Error(`expected a Tensor or null, got ${typeof t}`);
    return t.id > firstId ? t : connectedAlias(t);
  });
}

/**
 * A core rule returns fresh tensors or one of the incoming gradients (never a saved tensor): the
 * fresh ones belong to the engine, an incoming one is aliased (the buffers free the original).
 */
function runRule(node: Node, grads: readonly (Tensor | null)[]): (Tensor | null)[] {
  return tidy(() => node.backwardFn(grads)).map((t) =>
    t === null || t === undefined ? null : grads.includes(t) ? connectedAlias(t) : t,
  );
}

function applyHooks(hooks: readonly GradHook[], grad: Tensor, where: string): Tensor {
  let g = grad;
  for (const hook of [...hooks]) {
    const [replaced] = runOwned(
      g,
      () => hook(g),
      (r) => [r ?? null],
    );
    if (replaced === null || replaced === undefined) continue;
    if (!replaced._shapeEquals(g.shape)) {
      const shape = formatShape(replaced.shape);
      replaced.dispose();
      throw new Error(
        `hook has changed the size of value: the gradient of ${where} has shape ${formatShape(g.shape)}, the hook returned ${shape}`,
      );
    }
    g.dispose();
    g = replaced;
  }
  return g;
}

function accumulateInto(t: Tensor, grad: Tensor): void {
  if (t.grad === null) {
    // Gradients are never mutated in place by the engine, but users may (p.grad.mul_()):
    // own a private alias so that does not leak into a tensor it shares storage with.
    const g = connectedAlias(grad);
    g._copyOnWrite = true;
    t.grad = keep(g);
  } else {
    const sum = t.grad.add(grad);
    sum._copyOnWrite = true;
    t.grad.dispose();
    t.grad = keep(sum);
  }
}

function topologicalOrder(roots: readonly Node[]): Node[] {
  // Iterative DFS (RNNs make deep graphs); reverse post-order puts every node before its inputs.
  const order: Node[] = [];
  const visited = new Set<Node>();
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    const stack: [Node, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      if (i < node.edges.length) {
        top[1] = i + 1;
        const child = node.edges[i]?.node ?? null;
        if (child !== null && !visited.has(child)) {
          visited.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(node);
      }
    }
  }
  return order.reverse();
}

function checkFinite(node: Node, grads: readonly (Tensor | null)[]): void {
  const { checkNan, checkInf } = anomalyChecks();
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i];
    if (g === null || g === undefined || g.dtype !== 'float32') continue;
    let kind: string | null = null;
    for (const v of g.dataSync()) {
      if (checkNan && Number.isNaN(v)) {
        kind = 'nan';
        break;
      }
      if (checkInf && (v === Infinity || v === -Infinity)) kind ??= 'inf';
    }
    if (kind === null) continue;
    const trace =
      node.forwardStack === null
        ? ' Run the forward pass inside detectAnomaly() too to see the call that created it.'
        : `\nThe forward call that created it:\n${node.forwardStack.split('\n').slice(1).join('\n')}`;
    throw new Error(`Function '${node.displayName()}' returned ${kind} values in its ${i}th output.${trace}`);
  }
}

interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** Gradients wanted for these tensors; null: every leaf. */
  inputs: readonly Tensor[] | null;
  /** Accumulate into `.grad` (backward) instead of handing gradients back (autograd.grad). */
  accumulate: boolean;
}

/**
 * Propagate `seeds` (owned by the engine from here on) from `roots` through the graph. Returns, per
 * entry of `options.inputs`, the gradient that reached it (owned by the caller) or null.
 */
function execute(roots: readonly Tensor[], seeds: readonly Tensor[], options: RunOptions): (Tensor | null)[] {
  const buffers = new Map<Node, (Tensor | null)[]>();
  const leafGrads = new Map<Tensor, Tensor>();
  const captured: (Tensor | null)[] = options.inputs?.map(() => null) ?? [];
  const captureAtNode = new Map<Node, [number, number][]>();
  const captureAtLeaf = new Map<Tensor, number[]>();
  options.inputs?.forEach((t, i) => {
    const node = t.gradFn;
    if (node !== null) {
      const list = captureAtNode.get(node) ?? [];
      list.push([outputNrOf(t), i]);
      captureAtNode.set(node, list);
    } else {
      const leaf = t._gradTarget ?? t;
      captureAtLeaf.set(leaf, [...(captureAtLeaf.get(leaf) ?? []), i]);
    }
  });

  const addToBuffer = (node: Node, nr: number, g: Tensor): void => {
    let slots = buffers.get(node);
    if (slots === undefined) {
      slots = node.outputs.map(() => null);
      buffers.set(node, slots);
    }
    const previous = slots[nr] ?? null;
    slots[nr] = previous === null ? connectedAlias(g) : previous.add(g);
    previous?.dispose();
  };
  const addToLeaf = (leaf: Tensor, g: Tensor): void => {
    const previous = leafGrads.get(leaf);
    leafGrads.set(leaf, previous === undefined ? connectedAlias(g) : previous.add(g));
    previous?.dispose();
  };

  const run = (): void => {
    const rootNodes: Node[] = [];
    roots.forEach((root, i) => {
      const seed = seeds[i]!;
      if (root.gradFn === null) addToLeaf(root._gradTarget ?? root, seed);
      else {
        addToBuffer(root.gradFn, outputNrOf(root), seed);
        rootNodes.push(root.gradFn);
      }
      seed.dispose();
    });
    const order = topologicalOrder(rootNodes);
    // With chosen inputs, only the nodes on a path to one of them run.
    let needed: Set<Node> | null = null;
    if (options.inputs !== null) {
      const need = new Set<Node>();
      for (let k = order.length - 1; k >= 0; k--) {
        const node = order[k]!;
        for (const e of node.edges) {
          if (e === null) continue;
          const hit = e.node === null ? captureAtLeaf.has(e.leaf!) : captureAtNode.has(e.node) || need.has(e.node);
          if (hit) {
            need.add(node);
            break;
          }
        }
      }
      needed = need;
    }
    for (const node of order) {
      const grads = buffers.get(node);
      if (grads === undefined) continue;
      buffers.delete(node);
      try {
        for (let nr = 0; nr < grads.length; nr++) {
          let g = grads[nr] ?? null;
          if (g === null) continue;
          const hooks = node.hooks?.[nr];
          if (hooks !== undefined && hooks.length > 0) g = grads[nr] = applyHooks(hooks, g, node.displayName());
          const retained = node.retained?.[nr];
          if (options.accumulate && retained !== undefined) {
            for (const t of retained) if (!t.isDisposed) accumulateInto(t, g);
          }
        }
        for (const [nr, i] of captureAtNode.get(node) ?? []) {
          const g = grads[nr] ?? null;
          if (g !== null) captured[i] = connectedAlias(g);
        }
        if (needed !== null && !needed.has(node)) continue;
        const inputGrads = node.untrusted
          ? runOwned(
              grads.find((g) => g !== null)!,
              () => node.backwardFn(grads),
              (r) => r,
            )
          : runRule(node, grads);
        try {
          if (isAnomalyEnabled()) checkFinite(node, inputGrads);
          for (let i = 0; i < node.edges.length; i++) {
            const e = node.edges[i];
            const ig = inputGrads[i] ?? null;
            if (e === null || e === undefined || ig === null) continue;
            if (!ig._shapeEquals(node.inputShapes[i]!)) {
              throw new Error(
                `Function ${node.displayName()} returned an invalid gradient at index ${i} - got ${formatShape(ig.shape)} but expected shape ${formatShape(node.inputShapes[i]!)}`,
              );
            }
            if (e.node !== null) {
              if (needed === null || needed.has(e.node) || captureAtNode.has(e.node))
                addToBuffer(e.node, e.outputNr, ig);
            } else if (options.inputs === null || captureAtLeaf.has(e.leaf!)) {
              addToLeaf(e.leaf!, ig);
            }
          }
        } finally {
          for (const ig of inputGrads) ig?.dispose();
        }
        if (!options.retainGraph) node.release();
      } finally {
        for (const g of grads) g?.dispose();
      }
    }
    for (const [leaf, grad] of leafGrads) {
      leafGrads.delete(leaf);
      let g = grad;
      try {
        const hooks = leafHooks.get(leaf);
        if (hooks !== undefined && hooks.length > 0) g = applyHooks(hooks, g, 'a leaf tensor');
        const wanted = captureAtLeaf.get(leaf);
        if (wanted !== undefined) for (const i of wanted) captured[i] = connectedAlias(g);
        else if (options.accumulate && options.inputs === null) accumulateInto(leaf, g);
      } finally {
        g.dispose();
      }
    }
  };
  try {
    if (options.createGraph) enableGrad(run);
    else noGrad(run);
  } catch (error) {
    for (const c of captured) c?.dispose();
    throw error;
  } finally {
    for (const slots of buffers.values()) for (const g of slots) g?.dispose();
    for (const g of leafGrads.values()) g.dispose();
  }
  return captured;
}

/** The gradient to start from for `root`: `gradient`, or ones for a scalar. */
function seedFor(root: Tensor, gradient: Tensor | null | undefined, index: number, what: string): Tensor {
  if (!root.requiresGrad) {
    throw new Error(`element ${index} of tensors does not require grad and does not have a grad_fn`);
  }
  if (gradient === null || gradient === undefined) {
    if (root.numel !== 1) {
      throw new Error(
        `grad can be implicitly created only for scalar outputs: ${what} was called on a tensor of shape ${formatShape(root.shape)}; pass a gradient of that shape.`,
      );
    }
    return root._onesLikeDetached();
  }
  if (!isTensor(gradient)) throw new Error(`${what}: the gradient for output ${index} must be a Tensor`);
  if (gradient.device !== root.device) {
    throw new Error(`${what}: the gradient for output ${index} is on ${gradient.device}, the output on ${root.device}`);
  }
  // A one-element gradient of another rank (shape [] for [1]) is accepted, as PyTorch does.
  if (!shapesEqual(gradient.shape, root.shape) && !(gradient.numel === 1 && root.numel === 1)) {
    throw new Error(
      `Mismatch in shape: grad_output[${index}] has a shape of ${formatShape(gradient.shape)} and output[${index}] has a shape of ${formatShape(root.shape)}.`,
    );
  }
  // With createGraph a given gradient that requires grad stays part of the graph.
  return gradient._shapeEquals(root.shape) ? connectedAlias(gradient) : gradient.reshape(root.shape);
}

function asList<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function seedsFor(
  outputs: readonly Tensor[],
  gradients: readonly (Tensor | null | undefined)[],
  what: string,
): Tensor[] {
  if (gradients.length > 0 && gradients.length !== outputs.length) {
    throw new Error(`${what}: got ${gradients.length} gradients for ${outputs.length} outputs`);
  }
  const seeds: Tensor[] = [];
  try {
    outputs.forEach((t, i) => {
      seeds.push(seedFor(t, gradients[i], i, what));
    });
  } catch (error) {
    for (const s of seeds) s.dispose();
    throw error;
  }
  return seeds;
}

/** Tensor.backward(gradient?, options?) and autograd.backward(tensors, { gradTensors, ... }). */
export function runBackward(
  roots: Tensor | readonly Tensor[],
  gradients: Tensor | null | undefined | readonly (Tensor | null | undefined)[],
  options: BackwardOptions = {},
): void {
  const outs = asList(roots);
  const given = gradients === undefined || gradients === null ? [] : asList(gradients);
  const createGraph = options.createGraph ?? false;
  const inputs = options.inputs === undefined ? null : asList(options.inputs);
  if (inputs !== null) {
    if (inputs.length === 0) throw new Error("backward: 'inputs' argument to backward() cannot be empty.");
    for (const t of inputs)
      if (!t.requiresGrad) throw new Error('One of the differentiated Tensors does not require grad');
  }
  const seeds = seedsFor(outs, given, 'backward()');
  const grads = execute(outs, seeds, {
    retainGraph: options.retainGraph ?? createGraph,
    createGraph,
    inputs,
    accumulate: true,
  });
  grads.forEach((g, i) => {
    if (g === null) return;
    accumulateInto(inputs![i]!, g);
    g.dispose();
  });
}

export interface GradOptions {
  /** The "vector" of the vector-Jacobian product, one per output (null: ones, for a scalar output). */
  gradOutputs?: Tensor | null | readonly (Tensor | null)[];
  /** Keep the graph so it can be differentiated again (default: createGraph). */
  retainGraph?: boolean;
  /** Record the gradient computation, so the results can be differentiated (higher-order gradients). */
  createGraph?: boolean;
  /** Return null for an input the outputs do not depend on (otherwise that is an error). */
  allowUnused?: boolean;
  /** Return zeros instead of null for unused inputs (implies allowUnused). */
  materializeGrads?: boolean;
}

/** torch.autograd.grad: the gradients of `outputs` with respect to `inputs` (no `.grad` is touched). */
export function computeGrad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const outs = asList(outputs);
  const ins = asList(inputs);
  if (outs.length === 0) throw new Error('grad requires at least one output');
  if (ins.length === 0) throw new Error('grad requires at least one input');
  for (const t of [...outs, ...ins]) if (!isTensor(t)) throw new Error('grad: outputs and inputs must be Tensors');
  for (const t of ins) if (!t.requiresGrad) throw new Error('One of the differentiated Tensors does not require grad');
  const given = options.gradOutputs === undefined || options.gradOutputs === null ? [] : asList(options.gradOutputs);
  const createGraph = options.createGraph ?? false;
  const seeds = seedsFor(outs, given, 'grad()');
  const grads = execute(outs, seeds, {
    retainGraph: options.retainGraph ?? createGraph,
    createGraph,
    inputs: ins,
    accumulate: false,
  });
  if (options.materializeGrads) {
    return grads.map((g, i) => g ?? zerosFor(ins[i]!));
  }
  if (!options.allowUnused && grads.some((g) => g === null)) {
    for (const g of grads) g?.dispose();
    throw new Error(
      'One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.',
    );
  }
  return grads;
}

function zerosFor(t: Tensor): Tensor {
  const b = t.backend;
  return tensorFromHandle(b, b.kernels.fill(t.shape, t.dtype, 0), t.shape, t.dtype);
}

/** @internal Zeros in the shape of a node's output (a custom Function's unused output). */
export function zerosForOutput(node: Node, nr: number): Tensor {
  const o = node.outputs[nr]!;
  return tensorFromHandle(o.backend, o.backend.kernels.fill(o.shape, o.dtype, 0), o.shape, o.dtype);
}
