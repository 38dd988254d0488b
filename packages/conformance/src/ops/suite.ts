/**
 * PART C: op-level conformance over core's public API, driven by the PyTorch fixtures.
 *
 * Per fixture case: upload the inputs on the backend under test, call the op's adapter, compare
 * every output with PyTorch's float64 answer, backpropagate sum(output * cotangent) and compare each
 * input's .grad with PyTorch's gradient, then run a finite-difference gradcheck and assert that no
 * backend handle leaked.
 *
 * Gradcheck choice: Flint computes in float32 only, so float64 finite differences of Flint itself
 * are impossible. The exact check is "analytic gradient vs PyTorch's float64 gradient" (tolerance
 * rtol 1e-4 / atol 1e-5 like every float32 kernel). In addition, central differences of Flint's own
 * float32 forward (f = sum(output * cotangent) accumulated on the host in float64, step
 * h = 1e-2 * clamp(|x|, 0.1, 1), the realised float32 step as denominator) are compared with Flint's
 * analytic gradient at three elements per input, with a loose tolerance (atol 5e-3 + rtol 2e-2):
 * this catches a gradient rule that is inconsistent with its own forward even where a fixture is
 * missing a case. Ops with kinks or jumps (NON_SMOOTH_OPS) get only the exact check.
 */
import { expect } from 'vitest';
import type { Backend, DataArray } from '@flint/core/backend';
import { compareData, FLOAT32_TOLERANCE, type Tolerance } from '../compare.js';
import type { AutogradFixture, OpFixture, OptimFixture } from '../fixtures/load.js';
import { toDataArray, type HostTensor } from '../reference/tensor.js';
import { camelOptions, makeContext, NON_SMOOTH_OPS, OP_ADAPTERS, type FlintApi, type Tensor } from './adapters.js';

export interface OpSuiteContext {
  readonly api: FlintApi;
  readonly backend: Backend<unknown>;
  readonly tolerance: (key: string) => Tolerance;
}

const FD_TOL = { atol: 5e-3, rtol: 2e-2 };

function upload(api: FlintApi, device: string, t: HostTensor, requiresGrad: boolean): Tensor {
  return api.fromArray(toDataArray(t), t.shape, { dtype: t.dtype, device, requiresGrad });
}

function problemsOf(
  actual: DataArray,
  shape: readonly number[],
  expected: HostTensor,
  tol: Tolerance,
  label: string,
): string[] {
  const p: string[] = [];
  if (shape.length !== expected.shape.length || shape.some((d, i) => d !== expected.shape[i])) {
    p.push(`${label}: shape [${shape.join(',')}], expected [${expected.shape.join(',')}]`);
    return p;
  }
  return compareData(actual, expected, tol, label);
}

const asList = (r: Tensor | readonly Tensor[]): Tensor[] => (Array.isArray(r) ? [...r] : [r as Tensor]);

/** sum_i <out_i, cot_i> over the float outputs, accumulated on the host in float64. */
async function hostObjective(outs: readonly Tensor[], cots: readonly HostTensor[]): Promise<number> {
  let s = 0;
  let k = 0;
  for (const o of outs) {
    if (o.dtype !== 'float32') continue;
    const d = await o.data();
    const c = cots[k++]!;
    for (let i = 0; i < d.length; i++) s += d[i]! * c.data[i]!;
  }
  return s;
}

export async function runOpFixture(ctx: OpSuiteContext, f: OpFixture): Promise<void> {
  const { api, backend } = ctx;
  const adapter = OP_ADAPTERS[f.op];
  if (adapter === undefined) throw new Error(`no adapter for fixture op '${f.op}' (add one to src/ops/adapters.ts)`);
  const c = makeContext(api);
  const tol = ctx.tolerance(`op:${f.op}`);
  const withGrad = f.grads.length > 0;
  const before = backend.memory().handles;
  const problems: string[] = [];
  const inputs = f.inputs.map((t, i) => upload(api, backend.name, t, withGrad && f.grads[i] !== null));
  let outs: Tensor[] = [];
  try {
    outs = api.tidy(() => asList(adapter(c, inputs, f.args)));
    if (outs.length !== f.outputs.length) problems.push(`${outs.length} outputs, expected ${f.outputs.length}`);
    for (let i = 0; i < Math.min(outs.length, f.outputs.length); i++) {
      problems.push(...problemsOf(await outs[i]!.data(), outs[i]!.shape, f.outputs[i]!, tol, `output ${i}`));
    }
    if (withGrad && problems.length === 0) {
      api.tidy(() => {
        let loss: Tensor | null = null;
        let k = 0;
        for (const o of outs) {
          if (o.dtype !== 'float32') continue;
          const term = o.mul(upload(api, backend.name, f.cotangents[k++]!, false)).sum();
          loss = loss === null ? term : loss.add(term);
        }
        loss!.backward();
      });
      for (let i = 0; i < inputs.length; i++) {
        const g = f.grads[i];
        if (g === null || g === undefined) continue;
        const x = inputs[i]!;
        if (x.grad === null) {
          problems.push(`input ${i}: .grad is null after backward()`);
          continue;
        }
        problems.push(...problemsOf(await x.grad.data(), x.grad.shape, g, tol, `grad of input ${i}`));
      }
      if (problems.length === 0 && !NON_SMOOTH_OPS.has(f.op))
        problems.push(...(await finiteDifferences(ctx, f, inputs)));
    }
  } finally {
    for (const o of outs) o.dispose();
    for (const x of inputs) {
      x.grad?.dispose();
      x.dispose();
    }
  }
  if (problems.length > 0) throw new Error(`${f.name}:\n  ${problems.join('\n  ')}`);
  expect(backend.memory().handles, `live backend handles after '${f.name}' disposed everything`).toBe(before);
}

/** Central differences of Flint's float32 forward vs Flint's analytic gradient (see the file comment). */
async function finiteDifferences(ctx: OpSuiteContext, f: OpFixture, inputs: readonly Tensor[]): Promise<string[]> {
  const { api, backend } = ctx;
  const c = makeContext(api);
  const problems: string[] = [];
  const evaluate = async (which: number, flat: number, value: number): Promise<number> => {
    const data = Float32Array.from(f.inputs[which]!.data);
    data[flat] = value;
    const xs = f.inputs.map((t, i) =>
      i === which
        ? api.fromArray(data, t.shape, { dtype: 'float32', device: backend.name })
        : upload(api, backend.name, t, false),
    );
    try {
      const outs = api.noGrad(() => api.tidy(() => asList(OP_ADAPTERS[f.op]!(c, xs, f.args))));
      try {
        return await hostObjective(outs, f.cotangents);
      } finally {
        for (const o of outs) o.dispose();
      }
    } finally {
      for (const x of xs) x.dispose();
    }
  };
  for (let i = 0; i < inputs.length; i++) {
    if (f.grads[i] === null || f.grads[i] === undefined) continue;
    const x = f.inputs[i]!;
    const n = x.data.length;
    if (n === 0) continue;
    const analytic = await inputs[i]!.grad!.data();
    for (const j of [...new Set([0, Math.floor(n / 2), n - 1])]) {
      const v = x.data[j]!;
      const h = 1e-2 * Math.min(Math.max(Math.abs(v), 0.1), 1);
      const up = Math.fround(v + h);
      const down = Math.fround(v - h);
      const fd = ((await evaluate(i, j, up)) - (await evaluate(i, j, down))) / (up - down);
      const g = analytic[j]!;
      if (!(Math.abs(fd - g) <= FD_TOL.atol + FD_TOL.rtol * Math.abs(g))) {
        problems.push(`finite differences, input ${i}[${j}]: analytic ${g}, central difference ${fd}`);
      }
    }
  }
  return problems;
}

/** The course's autograd example: w and b come from the fixture (torch's RNG is not Flint's). */
export async function runAutogradFixture(ctx: OpSuiteContext, fx: AutogradFixture): Promise<void> {
  const { api, backend } = ctx;
  const c = makeContext(api);
  const tol = ctx.tolerance('op:autograd-example');
  const device = backend.name;
  const before = backend.memory().handles;
  const x = api.ones([5], { device });
  const y = api.zeros([3], { device });
  const w = upload(api, device, fx.w, true);
  const b = upload(api, device, fx.b, true);
  const problems: string[] = [];
  let z: Tensor | null = null;
  let loss: Tensor | null = null;
  try {
    // tidy() frees the intermediate x @ w; z and loss are returned and disposed below.
    [z, loss] = api.tidy(() => {
      const zz = api.matmul(x, w).add(b);
      return [zz, c.F('binaryCrossEntropyWithLogits')(zz, y) as Tensor] as const;
    });
    loss.backward();
    problems.push(...problemsOf(await z.data(), z.shape, fx.z, tol, 'z'));
    problems.push(...problemsOf(await loss.data(), loss.shape, fx.loss, tol, 'loss'));
    problems.push(...problemsOf(await w.grad!.data(), w.grad!.shape, fx.wGrad, tol, 'w.grad'));
    problems.push(...problemsOf(await b.grad!.data(), b.grad!.shape, fx.bGrad, tol, 'b.grad'));
  } finally {
    for (const t of [x, y, w, b, z, loss, w.grad, b.grad]) t?.dispose();
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  expect(backend.memory().handles).toBe(before);
}

/** Optimizer fixtures: params after each of 5 steps with given gradients. */
export async function runOptimFixture(ctx: OpSuiteContext, fx: OptimFixture): Promise<void> {
  const { api, backend } = ctx;
  const tol = ctx.tolerance(`optim:${fx.optimizer}`);
  const Ctor = (api.optim as Record<string, unknown>)[fx.optimizer];
  if (typeof Ctor !== 'function') throw new Error(`@flint/core does not provide optim.${fx.optimizer}`);
  const params = fx.params.map((p) => upload(api, backend.name, p, true));
  const handlesAfterStep: number[] = [];
  const problems: string[] = [];
  const opt = new (
    Ctor as new (
      params: Tensor[],
      options: Record<string, unknown>,
    ) => { step(): void; zeroGrad(): void }
  )(params, camelOptions(fx.options));
  try {
    for (let s = 0; s < fx.grads.length; s++) {
      params.forEach((p, i) => {
        p.grad?.dispose();
        p.grad = upload(api, backend.name, fx.grads[s]![i]!, false);
      });
      opt.step();
      handlesAfterStep.push(backend.memory().handles);
      for (let i = 0; i < params.length; i++) {
        problems.push(
          ...problemsOf(await params[i]!.data(), params[i]!.shape, fx.after[s]![i]!, tol, `step ${s + 1} param ${i}`),
        );
      }
    }
  } finally {
    for (const p of params) {
      p.grad?.dispose();
      p.dispose();
    }
    (opt as { dispose?: () => void }).dispose?.();
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  // State is allocated on the first step; later steps must not grow memory (DESIGN.md section 4).
  expect(handlesAfterStep.slice(1), 'live handles after steps 2..5').toEqual(
    handlesAfterStep.slice(1).map(() => handlesAfterStep[0]),
  );
}

export { FLOAT32_TOLERANCE };
