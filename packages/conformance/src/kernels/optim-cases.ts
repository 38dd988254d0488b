/**
 * Cases for the fused optimizer steps (sgdStep, adamStep): the one pair of kernels that write their
 * inputs, so each case has its own body: upload the parameter and state, run three steps with the
 * same gradient storage, read everything back and compare with torch.optim's formulas evaluated in
 * float64 from the same float32 inputs; the gradient must be left as it was.
 */
import type { AdamStepOptions, DType, SgdStepOptions, Shape } from '@flint/core/backend';
import { compareData, FLOAT32_TOLERANCE } from '../compare.js';
import { host, randn, Rng, toDataArray, type HostTensor } from '../reference/index.js';
import { sh, type AnyKernels, type CaseContext, type CustomCase, type Ref } from './types.js';

const STEPS = 3;
const EXACT = { rtol: 0, atol: 0 };

function upload(k: AnyKernels, t: HostTensor): Ref {
  return { storage: k.write(toDataArray(t), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
}

function hostOf(shape: Shape, data: Float64Array): HostTensor {
  return host(shape, 'float32' satisfies DType, data);
}

/** Runs `body` on uploaded refs, then reads each back against `expected` (and `grad` unchanged). */
async function check(
  ctx: CaseContext,
  name: string,
  tensors: readonly HostTensor[],
  grad: HostTensor,
  run: (refs: readonly Ref[], g: Ref) => void,
  expected: readonly HostTensor[],
): Promise<void> {
  const k = ctx.kernels;
  const refs = tensors.map((t) => upload(k, t));
  const g = upload(k, grad);
  const problems: string[] = [];
  try {
    for (let s = 0; s < STEPS; s++) run(refs, g);
    for (let i = 0; i < refs.length; i++)
      problems.push(...compareData(await k.read(refs[i]!), expected[i]!, FLOAT32_TOLERANCE, `in-place operand ${i}`));
    problems.push(...compareData(await k.read(g), grad, EXACT, 'grad after the steps (read only)'));
  } finally {
    for (const r of [...refs, g]) k.dispose(r.storage);
  }
  if (problems.length > 0) throw new Error(`${name}:\n  ${problems.join('\n  ')}`);
}

function sgdReference(p0: HostTensor, grad: HostTensor, o: Omit<SgdStepOptions, 'firstStep'>): HostTensor[] {
  const p = Float64Array.from(p0.data);
  const buf = new Float64Array(p.length);
  for (let s = 0; s < STEPS; s++) {
    for (let i = 0; i < p.length; i++) {
      let d = o.maximize ? -grad.data[i]! : grad.data[i]!;
      d += o.weightDecay * p[i]!;
      if (o.momentum !== 0) {
        buf[i] = s === 0 ? d : o.momentum * buf[i]! + (1 - o.dampening) * d;
        d = o.nesterov ? d + o.momentum * buf[i]! : buf[i]!;
      }
      p[i]! -= o.lr * d;
    }
  }
  return o.momentum !== 0 ? [hostOf(p0.shape, p), hostOf(p0.shape, buf)] : [hostOf(p0.shape, p)];
}

function adamReference(
  p0: HostTensor,
  grad: HostTensor,
  o: Omit<AdamStepOptions, 'step'>,
  amsgrad: boolean,
): HostTensor[] {
  const n = p0.data.length;
  const p = Float64Array.from(p0.data);
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  const vmax = new Float64Array(n);
  for (let t = 1; t <= STEPS; t++) {
    for (let i = 0; i < n; i++) {
      let g = o.maximize ? -grad.data[i]! : grad.data[i]!;
      if (o.decoupledWeightDecay) p[i]! *= 1 - o.lr * o.weightDecay;
      else g += o.weightDecay * p[i]!;
      m[i] = o.beta1 * m[i]! + (1 - o.beta1) * g;
      v[i] = o.beta2 * v[i]! + (1 - o.beta2) * g * g;
      vmax[i] = Math.max(vmax[i]!, v[i]!);
      const second = amsgrad ? vmax[i]! : v[i]!;
      const denom = Math.sqrt(second) / Math.sqrt(1 - o.beta2 ** t) + o.eps;
      p[i]! -= (o.lr / (1 - o.beta1 ** t)) * (m[i]! / denom);
    }
  }
  const out = [hostOf(p0.shape, p), hostOf(p0.shape, m), hostOf(p0.shape, v)];
  return amsgrad ? [...out, hostOf(p0.shape, vmax)] : out;
}

export function sgdStepCases(): CustomCase[] {
  const rng = new Rng(7300);
  const one = (shape: Shape, o: Omit<SgdStepOptions, 'firstStep'>): CustomCase => {
    const p = randn(rng, shape);
    const grad = randn(rng, shape);
    const name = `sgdStep ${sh(shape)} ${JSON.stringify(o)}`;
    return {
      name,
      body: (ctx) => {
        const zeros = hostOf(shape, new Float64Array(p.data.length));
        let first = true;
        return check(
          ctx,
          name,
          o.momentum !== 0 ? [p, zeros] : [p],
          grad,
          ([param, buf], g) => {
            ctx.kernels.sgdStep!(param!, g, buf ?? null, { ...o, firstStep: first });
            first = false;
          },
          sgdReference(p, grad, o),
        );
      },
    };
  };
  const plain = { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
  return [
    one([3, 4], plain),
    one([7], { ...plain, momentum: 0.9 }),
    one([2, 5], { ...plain, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
    one([6], { ...plain, momentum: 0.5, dampening: 0.3, maximize: true }),
    one([1001], { ...plain, lr: 0.01, momentum: 0.9, weightDecay: 1e-4 }),
    one([0, 3], { ...plain, momentum: 0.9 }),
    one([], { ...plain, weightDecay: 0.5, maximize: true }),
  ];
}

export function adamStepCases(): CustomCase[] {
  const rng = new Rng(7301);
  const one = (shape: Shape, o: Omit<AdamStepOptions, 'step'>, amsgrad: boolean): CustomCase => {
    const p = randn(rng, shape);
    const grad = randn(rng, shape);
    const name = `adamStep ${sh(shape)} ${JSON.stringify(o)}${amsgrad ? ' amsgrad' : ''}`;
    return {
      name,
      body: (ctx) => {
        const zeros = hostOf(shape, new Float64Array(p.data.length));
        let step = 0;
        return check(
          ctx,
          name,
          amsgrad ? [p, zeros, zeros, zeros] : [p, zeros, zeros],
          grad,
          ([param, m, v, vmax], g) => {
            step += 1;
            ctx.kernels.adamStep!(param!, g, m!, v!, vmax ?? null, { ...o, step });
          },
          adamReference(p, grad, o, amsgrad),
        );
      },
    };
  };
  const adam = {
    lr: 0.01,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: 0,
    decoupledWeightDecay: false,
    maximize: false,
  };
  return [
    one([3, 4], adam, false),
    one([7], { ...adam, weightDecay: 0.1 }, false),
    one([2, 5], { ...adam, weightDecay: 0.1, decoupledWeightDecay: true }, false),
    one([6], { ...adam, beta1: 0.5, beta2: 0.9, eps: 1e-3, maximize: true }, true),
    one([1001], { ...adam, lr: 1e-3, weightDecay: 1e-2, decoupledWeightDecay: true }, true),
    one([0, 2], adam, true),
    one([], { ...adam, lr: 0.1 }, false),
  ];
}
