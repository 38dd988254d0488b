/**
 * Autograd: each differentiable op records a Node (its inputs, the tensors it saved, a backward
 * closure). backward() walks the graph in reverse topological order and accumulates into `.grad`
 * of leaves. Gradient rules are written once, in core, with core ops, so they run on every backend.
 */
import { isGradEnabled, noGrad, enableGrad } from './grad-mode.js';
import { keep, tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../backend/shape.js';

export type BackwardFn = (gradOutput: Tensor) => readonly (Tensor | null)[];

/** A tensor kept alive for the backward pass (shares storage; detects in-place modification). */
export class SavedTensor {
  private readonly version: number;
  private tensor: Tensor | null;
  constructor(
    original: Tensor,
    private readonly opName: string,
  ) {
    // Owned by the graph, not by any enclosing tidy() scope.
    const alias = keep(original._alias());
    alias._weakGradFn = true; // a node saving its own output must not keep itself alive
    // Keep the alias connected to the graph, so a createGraph backward can differentiate through
    // saved values; gradients reaching a saved leaf go to the original leaf.
    alias.requiresGrad = original.requiresGrad;
    alias.gradFn = original.gradFn;
    alias._gradTarget = original.gradFn === null ? (original._gradTarget ?? original) : null;
    this.tensor = alias;
    this.version = original._storage.version;
  }

  get(): Tensor {
    const t = this.tensor;
    if (t === null) {
      throw new Error(
        `Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed) in ${this.opName}. Specify retainGraph: true if you need to backward twice.`,
      );
    }
    if (t._storage.version !== this.version) {
      throw new Error(
        `One of the tensors needed for gradient computation (saved by ${this.opName}, shape ${formatShape(t.shape)}) has been modified by an in-place operation.`,
      );
    }
    return t;
  }

  release(): void {
    this.tensor?.dispose();
    this.tensor = null;
  }
}

const savedRegistry = new FinalizationRegistry<SavedTensor[]>((saved) => {
  for (const s of saved) s.release();
});

let nodeCounter = 0;

export class Node {
  readonly id = nodeCounter++;
  released = false;
  /** Live tensors whose gradFn is this node, plus downstream nodes using its output. */
  private refs = 0;
  private inputsDropped = false;
  constructor(
    readonly name: string,
    readonly inputs: readonly Tensor[],
    readonly backwardFn: BackwardFn,
    readonly saved: SavedTensor[],
  ) {
    if (saved.length > 0) savedRegistry.register(this, saved, this);
    for (const input of inputs) input.gradFn?.retain();
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
    for (const input of this.inputs) input.gradFn?.drop();
  }

  /** Free the saved tensors (after backward, or when unreachable). */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const s of this.saved) s.release();
    savedRegistry.unregister(this);
  }
}

/** True when an op on these inputs must record a node. */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
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
  const saved = saveList.map((t) => new SavedTensor(t, name));
  out.requiresGrad = true;
  out.gradFn = new Node(name, inputs, makeBackward(saved), saved);
  return out;
}

export interface BackwardOptions {
  /** Keep the graph (saved tensors) so backward can run again through it. */
  retainGraph?: boolean;
  /** Record the backward pass itself (for higher-order gradients). */
  createGraph?: boolean;
}

function topologicalOrder(root: Node): Node[] {
  // Iterative DFS (RNNs make deep graphs).
  const order: Node[] = [];
  const visited = new Set<Node>();
  const stack: [Node, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1] = i + 1;
      const child = node.inputs[i]!.gradFn;
      if (child !== null && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

function accumulateLeaf(leaf: Tensor, grad: Tensor): void {
  if (leaf.grad === null) {
    // Gradients are never mutated in place by the engine, but users may (p.grad.mul_()):
    // own a private alias so that does not leak into a tensor it shares storage with.
    const g = grad._alias();
    g._copyOnWrite = true;
    // With createGraph the gradient is itself differentiable.
    g.requiresGrad = grad.requiresGrad;
    g.gradFn = grad.gradFn;
    leaf.grad = keep(g);
  } else {
    const sum = leaf.grad.add(grad);
    sum._copyOnWrite = true;
    leaf.grad.dispose();
    leaf.grad = keep(sum);
  }
}

export function runBackward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.numel !== 1) {
      throw new Error(
        `grad can be implicitly created only for scalar outputs: backward() was called on a tensor of shape ${formatShape(root.shape)}; pass a gradient of that shape.`,
      );
    }
    seed = root._onesLikeDetached();
  } else {
    if (gradient.numel !== root.numel || (gradient.shape.length !== root.shape.length && gradient.numel !== 1)) {
      throw new Error(
        `Mismatch in shape: grad_output has shape ${formatShape(gradient.shape)} and output has shape ${formatShape(root.shape)}.`,
      );
    }
    seed = gradient.reshape(root.shape)._alias();
  }
  const run = (): void => {
    if (root.gradFn === null) {
      accumulateLeaf(root, seed);
      seed.dispose();
      return;
    }
    const order = topologicalOrder(root.gradFn);
    const grads = new Map<Node, Tensor>([[root.gradFn, seed]]);
    const outputs = new Map<Node, Tensor>([[root.gradFn, root]]);
    for (const node of order) {
      for (const input of node.inputs)
        if (input.gradFn !== null && !outputs.has(input.gradFn)) outputs.set(input.gradFn, input);
    }
    try {
      for (const node of order) {
        const g = grads.get(node);
        if (g === undefined) continue;
        grads.delete(node);
        const out = outputs.get(node);
        if (out?._retainsGrad) accumulateLeaf(out, g);
        if (node.released) {
          throw new Error(
            `Trying to backward through the graph a second time (in ${node.name}). Specify retainGraph: true if you need to backward twice.`,
          );
        }
        // Rules return fresh tensors or `g` itself, never a saved tensor.
        // tidy frees the rule's temporaries; only the returned gradients survive.
        const inputGrads = tidy(() => node.backwardFn(g));
        for (let i = 0; i < node.inputs.length; i++) {
          const input = node.inputs[i]!;
          const ig = inputGrads[i];
          if (ig === null || ig === undefined || !input.requiresGrad) continue;
          if (!ig._shapeEquals(input.shape)) {
            throw new Error(
              `Internal autograd error in ${node.name}: gradient of shape ${formatShape(ig.shape)} for an input of shape ${formatShape(input.shape)}.`,
            );
          }
          if (input.gradFn === null) {
            accumulateLeaf(input._gradTarget ?? input, ig);
          } else {
            const previous = grads.get(input.gradFn);
            if (previous === undefined) grads.set(input.gradFn, ig._alias());
            else {
              grads.set(input.gradFn, previous.add(ig));
              previous.dispose();
            }
          }
        }
        for (const ig of inputGrads) ig?.dispose();
        g.dispose();
        if (!options.retainGraph) node.release();
      }
    } finally {
      for (const g of grads.values()) g.dispose();
    }
  };
  if (options.createGraph) enableGrad(run);
  else noGrad(run);
}
