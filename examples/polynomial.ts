/**
 * PyTorch's "Learning PyTorch with Examples": fit y = sin(x) on [-π, π] with a third-order
 * polynomial, five ways, line for line in Flint: raw tensors with requires_grad, nn.Sequential
 * (Linear + Flatten(0, 1)) with MSELoss(reduction='sum') and a hand-written update, the same with
 * optim.RMSprop, a custom nn.Module (Polynomial3) with optim.SGD, and a module whose forward
 * changes from call to call (DynamicNet, SGD with momentum). Run from apps/mnist:
 *
 *   npx tsx ../../examples/polynomial.ts
 *
 * JavaScript has no operators on objects, so `a + b * x + c * x ** 2` is
 * `a.add(b.mul(x)).add(c.mul(x.pow(2)))`, `a -= lr * a.grad` is `a.sub_(a.grad.mul(lr))` and
 * `with torch.no_grad():` is `noGrad(() => ...)`.
 */
import '@flint/backend-cpu';
import { linspace, manualSeed, nn, noGrad, optim, randn, sin, tensor, type Tensor } from '@flint/core';
import { isMain } from './common.js';

export interface PolynomialRun {
  /** The loss at t = 99, 199, ... (the tutorial prints these). */
  losses: number[];
  /** a, b, c, d (and DynamicNet's e). */
  coefficients: number[];
}

/** Create Tensors to hold input and outputs. */
const x = linspace(-Math.PI, Math.PI, 2000);
const y = sin(x);

/** The tutorial draws the coefficients with torch.randn(()); `start` gives them (for the comparison). */
function scalar(start: number[] | undefined, i: number, requiresGrad = true): Tensor {
  return start === undefined ? randn([], { requiresGrad }) : tensor(start[i]!, { requiresGrad });
}

/** 1. Tensors and autograd. */
export function polyAutograd(steps = 2000, start?: number[], log = console.log): PolynomialRun {
  const [a, b, c, d] = [0, 1, 2, 3].map((i) => scalar(start, i)) as [Tensor, Tensor, Tensor, Tensor];
  const learning_rate = 1e-6;
  const losses: number[] = [];
  for (let t = 0; t < steps; t++) {
    // Forward pass: compute predicted y using operations on Tensors.
    const y_pred = a
      .add(b.mul(x))
      .add(c.mul(x.pow(2)))
      .add(d.mul(x.pow(3)));
    // Compute and print loss using operations on Tensors.
    const loss = y_pred.sub(y).pow(2).sum();
    if (t % 100 === 99) {
      log(t, loss.item());
      losses.push(loss.item());
    }
    // Use autograd to compute the backward pass.
    loss.backward();
    // Manually update weights using gradient descent, outside the graph.
    noGrad(() => {
      for (const p of [a, b, c, d]) {
        p.sub_(p.grad!.mul(learning_rate));
        p.grad = null;
      }
    });
  }
  const coefficients = [a, b, c, d].map((p) => p.item());
  log(`Result: y = ${coefficients[0]} + ${coefficients[1]} x + ${coefficients[2]} x^2 + ${coefficients[3]} x^3`);
  return { losses, coefficients };
}

/** 2. nn (and 3. optim.RMSprop with `rmsprop`). */
export function polyNn(steps = 2000, rmsprop = false, start?: number[], log = console.log): PolynomialRun {
  // y is a linear function of (x, x^2, x^3): prepare that tensor. x.unsqueeze(-1) is [2000, 1],
  // p is [3], so broadcasting gives xx the shape [2000, 3].
  const p = tensor([1, 2, 3]);
  const xx = x.unsqueeze(-1).pow(p);

  // The Flatten layer flattens the output of the linear layer to a 1D tensor, to match the shape of `y`.
  const model = new nn.Sequential(new nn.Linear(3, 1), new nn.Flatten(0, 1));
  const linear_layer = model.get(0) as nn.Linear;
  if (start !== undefined) {
    noGrad(() => {
      linear_layer.bias!.fill_(start[0]!);
      linear_layer.weight.copy_(tensor([start.slice(1, 4)]));
    });
  }
  const loss_fn = new nn.MSELoss({ reduction: 'sum' });
  const learning_rate = rmsprop ? 1e-3 : 1e-6;
  const optimizer = rmsprop ? new optim.RMSprop(model.parameters(), { lr: learning_rate }) : null;
  const losses: number[] = [];
  for (let t = 0; t < steps; t++) {
    const y_pred = model(xx);
    const loss = loss_fn(y_pred, y);
    if (t % 100 === 99) {
      log(t, loss.item());
      losses.push(loss.item());
    }
    if (optimizer !== null) {
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    } else {
      // Zero the gradients before running the backward pass.
      model.zeroGrad();
      loss.backward();
      noGrad(() => {
        for (const param of model.parameters()) param.sub_(param.grad!.mul(learning_rate));
      });
    }
  }
  const coefficients = [linear_layer.bias!.item(), ...[0, 1, 2].map((i) => linear_layer.weight.index(null, i).item())];
  log(`Result: y = ${coefficients[0]} + ${coefficients[1]} x + ${coefficients[2]} x^2 + ${coefficients[3]} x^3`);
  return { losses, coefficients };
}

/** 4. A custom nn.Module: four scalar parameters. */
export class Polynomial3 extends nn.Module {
  a: nn.Parameter;
  b: nn.Parameter;
  c: nn.Parameter;
  d: nn.Parameter;

  constructor(start?: number[]) {
    super();
    this.a = new nn.Parameter(scalar(start, 0, false));
    this.b = new nn.Parameter(scalar(start, 1, false));
    this.c = new nn.Parameter(scalar(start, 2, false));
    this.d = new nn.Parameter(scalar(start, 3, false));
  }

  override forward(x: Tensor): Tensor {
    return this.a
      .add(this.b.mul(x))
      .add(this.c.mul(x.pow(2)))
      .add(this.d.mul(x.pow(3)));
  }

  string(): string {
    return `y = ${this.a.item()} + ${this.b.item()} x + ${this.c.item()} x^2 + ${this.d.item()} x^3`;
  }
}

/** 5. Control flow and weight sharing: x^4 and x^5 reuse the parameter e, a different number each call. */
export class DynamicNet extends nn.Module {
  a: nn.Parameter;
  b: nn.Parameter;
  c: nn.Parameter;
  d: nn.Parameter;
  e: nn.Parameter;

  constructor(start?: number[]) {
    super();
    this.a = new nn.Parameter(scalar(start, 0, false));
    this.b = new nn.Parameter(scalar(start, 1, false));
    this.c = new nn.Parameter(scalar(start, 2, false));
    this.d = new nn.Parameter(scalar(start, 3, false));
    this.e = new nn.Parameter(scalar(start, 4, false));
  }

  /** `top` is 4, 5 or 6: the tutorial's random.randint(4, 6), passed in so a run can be repeated. */
  override forward(x: Tensor, top: number = 4 + Math.floor(Math.random() * 3)): Tensor {
    let y = this.a
      .add(this.b.mul(x))
      .add(this.c.mul(x.pow(2)))
      .add(this.d.mul(x.pow(3)));
    for (let exp = 4; exp < top; exp++) y = y.add(this.e.mul(x.pow(exp)));
    return y;
  }

  string(): string {
    const [a, b, c, d, e] = [this.a, this.b, this.c, this.d, this.e].map((p) => p.item());
    return `y = ${a} + ${b} x + ${c} x^2 + ${d} x^3 + ${e} x^4 ? + ${e} x^5 ?`;
  }
}

/**
 * 4. and 5.: the module trained with SGD (DynamicNet: lr 1e-8, momentum 0.9). With `start`
 * (the comparison with PyTorch) DynamicNet's random top is 4 + t % 3 on both sides.
 */
export function polyModule(steps = 2000, dynamic = false, start?: number[], log = console.log): PolynomialRun {
  const model = dynamic ? new DynamicNet(start) : new Polynomial3(start);
  const criterion = new nn.MSELoss({ reduction: 'sum' });
  const optimizer = dynamic
    ? new optim.SGD(model.parameters(), { lr: 1e-8, momentum: 0.9 })
    : new optim.SGD(model.parameters(), { lr: 1e-6 });
  const losses: number[] = [];
  for (let t = 0; t < steps; t++) {
    const y_pred = dynamic && start !== undefined ? model(x, 4 + (t % 3)) : model(x);
    const loss = criterion(y_pred, y);
    if (t % 100 === 99) {
      log(t, loss.item());
      losses.push(loss.item());
    }
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  }
  log(`Result: ${model.string()}`);
  return { losses, coefficients: model.parameters().map((p) => p.item()) };
}

if (isMain(import.meta.url)) {
  manualSeed(0);
  polyAutograd();
  polyNn();
  polyNn(2000, true);
  polyModule();
  polyModule(30000, true);
}
