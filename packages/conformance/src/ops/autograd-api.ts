/**
 * Higher-order gradients through core's public autograd API, against PyTorch
 * (fixtures/autograd-api.json, fixtures/generate_autograd_api.py).
 *
 * Per case, on the backend under test: f(x) (compared with PyTorch), the first derivative
 * g = autograd.grad(f(x), x, { gradOutputs: v, createGraph: true }), the second derivative
 * h = autograd.grad(g, x, { gradOutputs: u }) (the backward of the backward: a Hessian-vector
 * product), and for some cases a third. Everything runs in one tidy(); afterwards the backend must
 * hold no more handles than before (the graph a createGraph pass builds, with what its nodes saved,
 * is freed with its tensors).
 */
import type { Backend } from '@flint/core/backend';
import { compareData, FLOAT32_TOLERANCE, type Tolerance } from '../compare.js';
import type { TorchArgs } from '../fixtures/load.js';
import { loadAutogradApiFixtures, type AutogradApiFixture } from '../fixtures/autograd-api.js';
import { toDataArray, type HostTensor } from '../reference/tensor.js';
import type { FlintApi, Tensor } from './adapters.js';

export { loadAutogradApiFixtures, type AutogradApiFixture };

type AutogradFunction = (api: FlintApi, xs: readonly Tensor[], args: TorchArgs) => Tensor | Tensor[];

const one =
  (f: (x: Tensor) => Tensor): AutogradFunction =>
  (_api, [x]) =>
    f(x!);
const two =
  (f: (a: Tensor, b: Tensor) => Tensor): AutogradFunction =>
  (_api, [a, b]) =>
    f(a!, b!);

/** The fixture's function names (generate_autograd_api.py's FUNCTIONS) as Flint calls. */
export const AUTOGRAD_FUNCTIONS: Readonly<Record<string, AutogradFunction>> = {
  tanh: one((x) => x.tanh()),
  sigmoid: one((x) => x.sigmoid()),
  exp: one((x) => x.exp()),
  log: one((x) => x.log()),
  sqrt: one((x) => x.sqrt()),
  rsqrt: one((x) => x.rsqrt()),
  reciprocal: one((x) => x.reciprocal()),
  sin: one((x) => x.sin()),
  cos: one((x) => x.cos()),
  erf: one((x) => x.erf()),
  log1p: one((x) => x.log1p()),
  expm1: one((x) => x.expm1()),
  square: one((x) => x.square()),
  cube: one((x) => x.pow(3)),
  pow_scalar: (_api, [x], args) => x!.pow(args.exponent as number),
  relu: one((x) => x.relu()),
  abs: one((x) => x.abs()),
  gelu: (api, [x], args) => api.nn.functional.gelu(x!, args.approximate as 'none' | 'tanh'),
  silu: (api, [x]) => api.nn.functional.silu(x!),
  elu: (api, [x]) => api.nn.functional.elu(x!),
  softplus: (api, [x]) => api.nn.functional.softplus(x!),
  logsigmoid: (api, [x]) => api.nn.functional.logsigmoid(x!),
  leaky_relu: (api, [x]) => api.nn.functional.leakyRelu(x!, 0.1),
  tanh_tanh: one((x) => x.tanh().tanh()),
  x_sin_x: one((x) => x.mul(x.sin())),
  mul: two((a, b) => a.mul(b)),
  div: two((a, b) => a.div(b)),
  pow: two((a, b) => a.pow(b)),
  add_sub: two((a, b) => a.add(b).mul(a.sub(b))),
  maximum: two((a, b) => a.maximum(b)),
  where: (api, [a, b]) => api.where(a!.gt(b!), a!.mul(a!), b!.mul(a!)),
  sum_sq: one((x) => x.mul(x).sum(1)),
  mean_cube: one((x) => x.pow(3).mean()),
  prod: one((x) => x.prod(1)),
  var: one((x) => x.var(1)),
  std: one((x) => x.std()),
  norm: one((x) => x.norm()),
  norm_p3: one((x) => x.norm(3, 1)),
  logsumexp: one((x) => x.logsumexp(1)),
  softmax: one((x) => x.softmax(1)),
  log_softmax: one((x) => x.logSoftmax(1)),
  amax: one((x) => x.amax(1).pow(2)),
  matmul: two((a, b) => a.matmul(b)),
  matmul_batched: two((a, b) => a.matmul(b)),
  matmul_vec: two((a, b) => a.matmul(b)),
  mm_t: two((a, b) => a.matmul(b.t())),
  linear: (api, [x, w, b]) => api.nn.functional.linear(x!, w!, b!),
  mse_loss: (api, [a, b]) => api.nn.functional.mseLoss(a!, b!),
  cross_entropy: (api, [x, y]) => api.nn.functional.crossEntropy(x!, y!),
  bce_with_logits: (api, [x, t]) => api.nn.functional.binaryCrossEntropyWithLogits(x!, t!),
  bce: (api, [p, t]) => api.nn.functional.binaryCrossEntropy(p!, t!),
  layer_norm: (api, [x, w, b]) => api.nn.functional.layerNorm(x!, [x!.shape[x!.ndim - 1]!], w!, b!),
  normalize: (api, [x]) => api.nn.functional.normalize(x!),
  mlp_loss: (api, [x, y, w1, b1, w2, b2]) => {
    const F = api.nn.functional;
    return F.crossEntropy(F.linear(F.linear(x!, w1!, b1!).tanh(), w2!, b2!), y!);
  },
  conv2d: (api, [x, w, b], args) =>
    api.nn.functional.conv2d(x!, w!, b!, {
      stride: args.stride as number,
      padding: args.padding as number,
      groups: args.groups as number,
    }),
  max_pool2d: (api, [x], args) =>
    api.nn.functional
      .maxPool2d(x!, args.kernel_size as number, { stride: args.stride as number, padding: args.padding as number })
      .pow(2),
  avg_pool2d: (api, [x], args) =>
    api.nn.functional
      .avgPool2d(x!, args.kernel_size as number, { stride: args.stride as number, padding: args.padding as number })
      .tanh(),
  cnn_loss: (api, [x, y, k, kb, w, b]) => {
    const F = api.nn.functional;
    const h = F.maxPool2d(F.conv2d(x!, k!, kb!, { padding: 1 }).tanh(), 2);
    return F.crossEntropy(F.linear(h.flatten(1), w!, b!), y!);
  },
  reshape_permute: one((x) => x.reshape(3, 2).t().mul(x.reshape(2, 3)).sum(0)),
  cat_stack: (api, [a, b]) => api.cat([a!.mul(b!), api.stack([a!, b!]).sum(0).pow(2)], 1),
  expand: two((x, y) => x.expand(2, 3).mul(y).pow(2)),
  slice: one((x) => x.slice(1, 1, 3).pow(3)),
  gather: (_api, [x, index]) => x!.mul(x!).gather(1, index!),
};

function upload(api: FlintApi, device: string, t: HostTensor, requiresGrad = false): Tensor {
  return api.fromArray(toDataArray(t), t.shape, { dtype: t.dtype, device, requiresGrad });
}

interface Check {
  readonly tensor: Tensor;
  readonly expected: HostTensor;
  readonly label: string;
}

/** Reads back asynchronously (WebGPU cannot read synchronously). */
async function compare(c: Check, tol: Tolerance): Promise<string[]> {
  const { tensor: t, expected, label } = c;
  if (t.shape.length !== expected.shape.length || t.shape.some((d, i) => d !== expected.shape[i])) {
    return [`${label}: shape [${t.shape.join(',')}], expected [${expected.shape.join(',')}]`];
  }
  return compareData(await t.data(), expected, tol, label);
}

/**
 * The derivative of sum_j sum(grads_j * dirs_j) with respect to `wrt`; zeros where the grads do
 * not depend on the inputs (a piecewise-linear f), as PyTorch's generator records them.
 */
function nextOrder(
  api: FlintApi,
  grads: readonly Tensor[],
  dirs: readonly Tensor[],
  wrt: readonly Tensor[],
  createGraph: boolean,
): Tensor[] {
  const live = grads.flatMap((g, j) => (g.requiresGrad ? [[g, dirs[j]!] as const] : []));
  if (live.length === 0) return wrt.map((x) => api.zerosLike(x));
  return api.autograd.grad(
    live.map(([g]) => g),
    wrt,
    { gradOutputs: live.map(([, d]) => d), createGraph, materializeGrads: true },
  );
}

/** One fixture case on `backend`: values of f and its first, second (and third) derivatives, then no leak. */
export async function runAutogradApiFixture(
  api: FlintApi,
  backend: Backend<unknown>,
  f: AutogradApiFixture,
  tolerance: Tolerance = FLOAT32_TOLERANCE,
): Promise<void> {
  const fn = AUTOGRAD_FUNCTIONS[f.fn];
  if (fn === undefined)
    throw new Error(`no Flint function for autograd fixture '${f.fn}' (add it to src/ops/autograd-api.ts)`);
  const device = backend.name;
  const before = backend.memory().handles;
  // Everything is computed in one tidy(); what it returns (the tensors to compare, with the graphs
  // they hold) is read back afterwards and then disposed.
  const checks = api.tidy(() => {
    const p: Check[] = [];
    const inputs = f.inputs.map((t, i) => upload(api, device, t, f.diff[i]));
    const wrt = inputs.filter((_, i) => f.diff[i]);
    const out = fn(api, inputs, f.args);
    const outs = Array.isArray(out) ? out : [out];
    for (const [k, o] of outs.entries()) p.push({ tensor: o, expected: f.outputs[k]!, label: `output ${k}` });
    const cots = f.cotangents.map((c) => upload(api, device, c));
    const grads = api.autograd.grad(outs, wrt, { gradOutputs: cots, createGraph: true });
    for (const [i, g] of grads.entries()) p.push({ tensor: g, expected: f.grads[i]!, label: `first derivative ${i}` });
    const dirs = f.directions.map((d) => upload(api, device, d));
    const hvp = nextOrder(api, grads, dirs, wrt, f.third !== null);
    for (const [i, h] of hvp.entries()) p.push({ tensor: h, expected: f.hvp[i]!, label: `second derivative ${i}` });
    if (f.third !== null && f.thirdDirections !== null) {
      const ws = f.thirdDirections.map((w) => upload(api, device, w));
      const third = nextOrder(api, hvp, ws, wrt, false);
      for (const [i, t] of third.entries()) {
        p.push({ tensor: t, expected: f.third![i]!, label: `third derivative ${i}` });
      }
    }
    return p;
  });
  const problems: string[] = [];
  try {
    for (const c of checks) problems.push(...(await compare(c, tolerance)));
  } finally {
    for (const c of checks) c.tensor.dispose();
  }
  const after = backend.memory().handles;
  if (after !== before) problems.push(`${after - before} backend handles still live after the case's tidy()`);
  if (problems.length > 0) throw new Error(`${f.name}:\n  ${problems.join('\n  ')}`);
}
