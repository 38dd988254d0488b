import '@flint/backend-cpu';
import { describe, expect, it } from 'vitest';
import {
  autograd,
  inferenceMode,
  isGradEnabled,
  isInferenceModeEnabled,
  manualSeed,
  memory,
  nn,
  randn,
  tensor,
  tidy,
  type Tensor,
} from '../index.js';

describe('anomaly detection', () => {
  it("names the backward that returned NaN (PyTorch: Function 'DivBackward0' returned nan values in its 1th output.)", () => {
    const x = tensor([0, 1], { requiresGrad: true });
    let error: Error | null = null;
    autograd.detectAnomaly(() => {
      try {
        x.div(x).sum().backward();
      } catch (e) {
        error = e as Error;
      }
    });
    expect(error).not.toBeNull();
    const message = (error as unknown as Error).message;
    expect(message).toMatch(/^Function 'DivBackward' returned nan values in its 1th output\./);
    // The forward call that created the node: this test file.
    expect(message).toMatch(/modes\.test\.ts/);
    expect(autograd.isAnomalyEnabled()).toBe(false);
  });

  it('is off by default: the NaN gradient is returned silently', () => {
    const x = tensor([0, 1], { requiresGrad: true });
    x.div(x).sum().backward();
    expect(Number.isNaN(x.grad!.dataSync()[0]!)).toBe(true);
  });

  it('checks NaN only unless checkInf (PyTorch checks NaN); setDetectAnomaly turns it on and off', () => {
    const x = tensor([0, 4], { requiresGrad: true });
    autograd.setDetectAnomaly(true);
    try {
      x.sqrt().sum().backward(); // d sqrt(x)/dx at 0 is inf: not an anomaly by default
      expect(x.grad!.dataSync()[0]).toBe(Infinity);
      autograd.setDetectAnomaly(true, { checkInf: true });
      expect(() => x.sqrt().sum().backward()).toThrow(
        /^Function 'SqrtBackward' returned inf values in its 0th output\./,
      );
    } finally {
      autograd.setDetectAnomaly(false);
    }
    expect(autograd.isAnomalyEnabled()).toBe(false);
  });

  it('a failed backward leaves nothing behind once the tensors are disposed', () => {
    const x = tensor([0, 1], { requiresGrad: true });
    const before = memory().handles;
    const y = tidy(() => x.log().mul(x).sum()); // 0 * -inf = NaN in the forward's gradient
    expect(() => autograd.detectAnomaly(() => y.backward())).toThrow(/returned nan values/);
    y.dispose();
    x.grad?.dispose();
    expect(memory().handles).toBe(before);
  });
});

describe('gradcheck and gradgradcheck (float32 central differences)', () => {
  it('pass for correct rules: elementwise, matmul, softmax, conv2d, an MLP loss (first and second order)', () => {
    manualSeed(3);
    const a = randn(3, 4, { requiresGrad: true });
    const b = randn(4, 2, { requiresGrad: true });
    expect(autograd.gradcheck((p, q) => p.matmul(q).sigmoid(), [a, b])).toBe(true);
    expect(autograd.gradgradcheck((p, q) => p.matmul(q).sigmoid(), [a, b])).toBe(true);
    expect(autograd.gradcheck((p) => p.softmax(1).mul(p), [a])).toBe(true);
    const x = randn(1, 2, 5, 5, { requiresGrad: true });
    const w = randn(3, 2, 3, 3, { requiresGrad: true });
    const conv = (p: Tensor, q: Tensor): Tensor => nn.functional.conv2d(p, q, null, { stride: 2, padding: 1 }).tanh();
    expect(autograd.gradcheck(conv, [x, w])).toBe(true);
    expect(autograd.gradgradcheck(conv, [x, w])).toBe(true);
    const y = tensor([0, 2, 1], { dtype: 'int32' });
    const w1 = randn(5, 4, { requiresGrad: true });
    const w2 = randn(3, 5, { requiresGrad: true });
    const mlp = (p: Tensor, q: Tensor): Tensor =>
      nn.functional.crossEntropy(nn.functional.linear(nn.functional.linear(a, p).tanh(), q), y);
    expect(autograd.gradgradcheck(mlp, [w1, w2])).toBe(true);
  });

  it('fails for a rule whose first derivative is right and second wrong', () => {
    // backward multiplies by a detached exp(x): right gradient, no second derivative through it.
    class DetachedExp extends autograd.Function {
      static override forward(ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        ctx.saveForBackward(x);
        return x.exp();
      }
      static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g.mul(ctx.savedTensors[0]!.detach().exp());
      }
    }
    const x = tensor([0.2, 0.5], { requiresGrad: true });
    expect(autograd.gradcheck((t) => DetachedExp.apply(t), [x])).toBe(true);
    expect(() => autograd.gradgradcheck((t) => DetachedExp.apply(t), [x])).toThrow(/Jacobian mismatch/);
  });

  it('needs an input that requires grad, and leaks nothing', () => {
    expect(() => autograd.gradcheck((t) => t.exp(), [tensor([1])])).toThrow(
      'gradcheck expects at least one input tensor to require gradient',
    );
    const x = tensor([0.3, 0.6], { requiresGrad: true });
    const before = memory().handles;
    autograd.gradgradcheck((t) => t.tanh().mul(t), [x]);
    expect(memory().handles).toBe(before);
  });
});

describe('inferenceMode', () => {
  it('turns grad off and marks the tensors created inside as inference tensors', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const [inside, flags] = inferenceMode(() => [w.mul(2), [isGradEnabled(), isInferenceModeEnabled()]] as const);
    expect(flags).toEqual([false, true]);
    expect(inside.requiresGrad).toBe(false);
    expect(inside.isInference()).toBe(true);
    expect(w.isInference()).toBe(false);
    expect(isInferenceModeEnabled()).toBe(false);
    expect(inferenceMode(() => inferenceMode(() => tensor([1]).isInference(), false))).toBe(false);
  });

  it('inference tensors: not saved for backward, not changed in place or made to require grad outside (PyTorch errors)', () => {
    const t = inferenceMode(() => tensor([1, 1]));
    const w = tensor([1, 1], { requiresGrad: true });
    expect(() => w.mul(t)).toThrow(
      'Inference tensors cannot be saved for backward. To work around you can make a clone to get a normal tensor and use it in autograd.',
    );
    t.add(w).sum().backward(); // add saves nothing: allowed, as in PyTorch
    expect(Array.from(w.grad!.dataSync())).toEqual([1, 1]);
    expect(() => t.mul_(2)).toThrow(/Inplace update to inference tensor outside InferenceMode is not allowed/);
    expect(() => t.requiresGrad_()).toThrow(
      'Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.',
    );
    inferenceMode(() => t.mul_(2));
    expect(Array.from(t.dataSync())).toEqual([2, 2]);
    const c = t.clone();
    expect(c.isInference()).toBe(false);
    w.mul(c).sum().backward();
  });

  it('restores the mode after an async body settles', async () => {
    const pending = inferenceMode(async () => {
      await Promise.resolve();
      return isInferenceModeEnabled();
    });
    expect(await pending).toBe(true);
    expect(isInferenceModeEnabled()).toBe(false);
    expect(isGradEnabled()).toBe(true);
  });
});
