import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import { autograd, inferenceMode, memory, noGrad, tensor, tidy, type Tensor } from '../index.js';

const values = (t: Tensor | null | undefined): number[] => Array.from(t!.dataSync());

/** exp with its own backward, written in differentiable ops (so it has a second derivative). */
class Exp extends autograd.Function {
  static override forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
    const y = x.exp();
    ctx.saveForBackward(y);
    return y;
  }
  static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
    const [y] = ctx.savedTensors;
    return g.mul(y!);
  }
}

type ScaleCtx = autograd.FunctionCtx & { alpha: number; seen: readonly boolean[] };

/** Two outputs and a number argument: (x * y, x + alpha * y). */
class MulAdd extends autograd.Function {
  static override forward(ctx: ScaleCtx, x: Tensor, y: Tensor, alpha: number): [Tensor, Tensor] {
    ctx.saveForBackward(x, y);
    ctx.alpha = alpha;
    ctx.seen = ctx.needsInputGrad;
    return [x.mul(y), x.add(y.mul(alpha))];
  }
  static override backward(ctx: ScaleCtx, ga: Tensor, gb: Tensor): (Tensor | null)[] {
    const [x, y] = ctx.savedTensors;
    return [ga.mul(y!).add(gb), ga.mul(x!).add(gb.mul(ctx.alpha)), null];
  }
}

describe('autograd.Function', () => {
  it('apply runs forward without recording and backward through the custom rule', () => {
    const x = tensor([0.5, -1, 2], { requiresGrad: true });
    const y = Exp.apply(x);
    expect(y.gradFn?.name).toBe('Exp');
    expect(y.gradFn?.displayName()).toBe('ExpBackward');
    expect(y.toString()).toContain('grad_fn=<ExpBackward>');
    y.sum().backward();
    for (const [i, v] of values(x.grad).entries()) expect(v).toBeCloseTo(Math.exp([0.5, -1, 2][i]!), 5);
  });

  it('forward runs under noGrad; without an input that requires grad nothing is recorded', () => {
    let gradInForward: boolean | null = null;
    class Probe extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        gradInForward = x.mul(2).requiresGrad;
        return x.mul(2);
      }
      static override backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g.mul(2);
      }
    }
    expect(Probe.apply(tensor([1], { requiresGrad: true })).requiresGrad).toBe(true);
    expect(gradInForward).toBe(false);
    const plain = Probe.apply(tensor([1]));
    expect(plain.requiresGrad).toBe(false);
    expect(noGrad(() => Probe.apply(tensor([1], { requiresGrad: true }))).requiresGrad).toBe(false);
  });

  it('several outputs, a number argument, needsInputGrad (PyTorch values)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = tensor([3, 4]);
    const [a, b] = MulAdd.apply(x, y, 0.5);
    expect(a.requiresGrad && b.requiresGrad).toBe(true);
    expect(a.gradFn).toBe(b.gradFn);
    a.sum().backward(); // b unused: its gradient reaches backward as zeros
    expect(values(x.grad)).toEqual([3, 4]);
    x.grad = null;
    const [a2, b2] = MulAdd.apply(x, y, 0.5);
    a2.add(b2.mul(2)).sum().backward();
    expect(values(x.grad)).toEqual([5, 6]);
  });

  it('backward with createGraph is differentiated again (second derivative of the custom exp)', () => {
    const x = tensor([0.3, -0.7], { requiresGrad: true });
    const [g] = autograd.grad(Exp.apply(x).sum(), x, { createGraph: true });
    const [h] = autograd.grad(g!.sum(), x);
    for (const [i, v] of values(h).entries()) expect(v).toBeCloseTo(Math.exp([0.3, -0.7][i]!), 5);
    expect(autograd.gradgradcheck((t) => Exp.apply(t), [tensor([0.1, 0.4], { requiresGrad: true })])).toBe(true);
  });

  it('markNonDifferentiable and setMaterializeGrads(false)', () => {
    let seenGrad: Tensor | null | undefined;
    class WithIndex extends autograd.Function {
      static override forward(ctx: autograd.FunctionCtx, x: Tensor): [Tensor, Tensor] {
        const idx = x.gt(0).float();
        ctx.markNonDifferentiable(idx);
        ctx.setMaterializeGrads(false);
        return [x.mul(3), idx];
      }
      static override backward(_ctx: autograd.FunctionCtx, g: Tensor, gIdx: Tensor | null): Tensor {
        seenGrad = gIdx;
        return g.mul(3);
      }
    }
    const x = tensor([1, -1], { requiresGrad: true });
    const [v, idx] = WithIndex.apply(x);
    expect(idx.requiresGrad).toBe(false);
    v.sum().backward();
    expect(seenGrad).toBeNull();
    expect(values(x.grad)).toEqual([3, 3]);
  });

  it('an input returned as it is gets a new tensor; the input keeps its history', () => {
    class Id extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        return x;
      }
      static override backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g.mul(3);
      }
    }
    const x = tensor([1, 1], { requiresGrad: true });
    const h = x.mul(1);
    const y = Id.apply(h);
    expect(y).not.toBe(h);
    expect(h.gradFn?.name).toBe('mul');
    y.sum().backward();
    expect(values(x.grad)).toEqual([3, 3]);
  });

  it('a gradient the input broadcasts to is summed to its shape (PyTorch validate_outputs)', () => {
    class Wide extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
      static override backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g.expand(3, 2);
      }
    }
    const x = tensor([1, 1], { requiresGrad: true });
    Wide.apply(x).sum().backward();
    expect(values(x.grad)).toEqual([3, 3]);
  });

  it('bad gradients from backward: PyTorch’s errors', () => {
    class TooMany extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
      static override backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor[] {
        return [g, g];
      }
    }
    class WrongShape extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
      static override backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g.slice(0, 0, 1);
      }
    }
    class GradForNumber extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor, _k: number): Tensor {
        return x.mul(2);
      }
      static override backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor[] {
        return [g, g];
      }
    }
    const x = tensor([1, 1], { requiresGrad: true });
    expect(() => TooMany.apply(x).sum().backward()).toThrow(
      'function TooManyBackward returned an incorrect number of gradients (expected 1, got 2)',
    );
    expect(() => WrongShape.apply(x).sum().backward()).toThrow(
      'Function WrongShapeBackward returned an invalid gradient at index 0 - got [1] but expected shape compatible with [2]',
    );
    expect(() => GradForNumber.apply(x, 2).sum().backward()).toThrow(
      /returned a gradient different than null at position 1, but the corresponding forward input was not a Tensor/,
    );
  });

  it('saved tensors: freed after backward (second backward fails), kept by retainGraph, checked for in-place changes', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = Exp.apply(x).sum();
    y.backward({ retainGraph: true });
    y.backward();
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
    const h = x.mul(1);
    const z = Exp.apply(h);
    noGrad(() => z.add_(1)); // changes the saved output
    expect(() => z.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  it('memory returns to its start after backward and disposing, and for a graph never differentiated', () => {
    const x = tensor([0.1, 0.2, 0.3], { requiresGrad: true });
    const y0 = tensor([1, 2, 3]);
    const before = memory().handles;
    tidy(() => {
      const [a, b] = MulAdd.apply(Exp.apply(x), y0, 2);
      a.add(b).sum().backward();
    });
    x.grad!.dispose();
    x.grad = null;
    expect(memory().handles).toBe(before);
    tidy(() => {
      MulAdd.apply(Exp.apply(x), y0, 2);
    });
    expect(memory().handles).toBe(before);
  });

  it('an inference tensor cannot be saved for backward', () => {
    const t = inferenceMode(() => tensor([1, 2]));
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => MulAdd.apply(x, t, 1)).toThrow(/Inference tensors cannot be saved for backward/);
  });

  it('gradcheck finds a wrong custom backward', () => {
    class WrongExp extends autograd.Function {
      static override forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        const y = x.exp();
        ctx.saveForBackward(y);
        return y;
      }
      static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g.mul(ctx.savedTensors[0]!).mul(1.1);
      }
    }
    const x = tensor([0.2, -0.3], { requiresGrad: true });
    expect(autograd.gradcheck((t) => Exp.apply(t), [x])).toBe(true);
    expect(() => autograd.gradcheck((t) => WrongExp.apply(t), [x])).toThrow(
      /Jacobian mismatch for output 0 with respect to input 0/,
    );
    expect(autograd.gradcheck((t) => WrongExp.apply(t), [x], { raiseException: false })).toBe(false);
  });
});
