/**
 * gradcheck / gradgradcheck (torch.autograd.gradcheck): compare the Jacobian autograd computes
 * with central finite differences.
 *
 * Flint computes in float32 on every backend (there is no float64 dtype), so the differences are
 * taken in float32, not float64 as PyTorch recommends. To keep that meaningful:
 * - the step is much larger (eps 1e-3 instead of 1e-6): rounding error in f(x ± eps) is about
 *   |f| * 6e-8 / eps, truncation error about eps² * |f'''| / 6, both near 1e-4 for |f| ~ 1;
 * - the difference is divided by the step actually taken, (x + eps) - (x - eps) after rounding both
 *   to float32, not by 2 * eps;
 * - the default tolerances are atol 1e-3, rtol 1e-2 (PyTorch: 1e-5, 1e-3 in float64).
 * So it finds wrong gradient rules (a missing term, a wrong sign or factor, a gradient sent to the
 * wrong input), not errors below about 1%; functions with large values, steep curvature or
 * long float32 reductions need a larger eps or tolerances. At a kink (relu at 0, max ties) finite
 * differences are meaningless: keep inputs away from kinks. It reads values back (readback per
 * perturbed evaluation), so it is a test helper, not something for a training loop.
 */
import { computeGrad } from './engine.js';
import { enableGrad, noGrad } from './grad-mode.js';
import { isTensor, tensorFromHandle } from '../tensor/binding.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../backend/shape.js';
import { Generator } from '../random.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-3: float32, see above). */
  eps?: number;
  /** Absolute tolerance (default 1e-3). */
  atol?: number;
  /** Relative tolerance, of the numerical value (default 1e-2). */
  rtol?: number;
  /** Throw on a mismatch, naming the output, input and entry (default true); false returns false. */
  raiseException?: boolean;
}

export interface GradgradcheckOptions extends GradcheckOptions {
  /** The gradients the first derivative is taken with (default: seeded standard normals). */
  gradOutputs?: readonly Tensor[];
  /** Seed of those default gradients (default 0; the global generator is not touched). */
  seed?: number;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

const asList = (v: Tensor | readonly Tensor[]): readonly Tensor[] => (isTensor(v) ? [v] : v);

function upload(like: Tensor, data: Float32Array): Tensor {
  const b = like.backend;
  return tensorFromHandle(b, b.kernels.write(data, like.shape, like.dtype), like.shape, like.dtype);
}

/** Float outputs of fn, read back (nothing recorded; tidy frees fn's tensors). */
function evaluate(fn: Fn, inputs: readonly Tensor[]): Float32Array[] {
  return noGrad(() =>
    tidy(() =>
      asList(fn(...inputs))
        .filter((o) => o.dtype === 'float32')
        .map((o) => Float32Array.from(o.dataSync())),
    ),
  );
}

/** Jacobians [output][input] as row-major (output numel x input numel) host arrays. */
type Jacobians = Float64Array[][];

function numericalJacobians(
  fn: Fn,
  inputs: readonly Tensor[],
  diff: readonly number[],
  eps: number,
  outSizes: number[],
) {
  const jac: Jacobians = outSizes.map(() => diff.map(() => new Float64Array(0)));
  diff.forEach((inputIndex, d) => {
    const x = inputs[inputIndex]!;
    const base = Float32Array.from(x.dataSync());
    outSizes.forEach((size, o) => {
      jac[o]![d] = new Float64Array(size * base.length);
    });
    const probe = base.slice();
    for (let e = 0; e < base.length; e++) {
      const v = base[e]!;
      const evalAt = (value: number): Float32Array[] => {
        probe[e] = value;
        // Same requiresGrad as the input, so a fn that differentiates (gradgradcheck) still can.
        const moved = upload(x, probe).requiresGrad_(x.requiresGrad);
        try {
          return evaluate(
            fn,
            inputs.map((t, i) => (i === inputIndex ? moved : t)),
          );
        } finally {
          moved.dispose();
          probe[e] = v;
        }
      };
      const hi = Math.fround(v + eps);
      const lo = Math.fround(v - eps);
      const plus = evalAt(hi);
      const minus = evalAt(lo);
      const step = hi - lo;
      outSizes.forEach((size, o) => {
        const col = jac[o]![d]!;
        for (let r = 0; r < size; r++) col[r * base.length + e] = (plus[o]![r]! - minus[o]![r]!) / step;
      });
    }
  });
  return jac;
}

function analyticalJacobians(outputs: readonly Tensor[], inputs: readonly Tensor[], diff: readonly number[]) {
  const jac: Jacobians = outputs.map((o) => diff.map((i) => new Float64Array(o.numel * inputs[i]!.numel)));
  const wrt = diff.map((i) => inputs[i]!);
  outputs.forEach((out, o) => {
    if (!out.requiresGrad) return; // does not depend on any input: zeros
    const oneHot = new Float32Array(out.numel);
    for (let r = 0; r < out.numel; r++) {
      oneHot.fill(0);
      oneHot[r] = 1;
      const seed = upload(out, oneHot);
      const grads = computeGrad(out, wrt, { gradOutputs: seed, retainGraph: true, allowUnused: true });
      seed.dispose();
      grads.forEach((g, d) => {
        if (g === null) return;
        const row = g.dataSync();
        jac[o]![d]!.set(row, r * row.length);
        g.dispose();
      });
    }
  });
  return jac;
}

/**
 * torch.autograd.gradcheck: true when the gradients of `fn` at `inputs` (those that require grad)
 * match central finite differences in float32 within atol + rtol * |numerical| (see the module
 * notes for what that can and cannot find).
 */
export function gradcheck(fn: Fn, inputs: Tensor | readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const ins = asList(inputs);
  const eps = options.eps ?? 1e-3;
  const atol = options.atol ?? 1e-3;
  const rtol = options.rtol ?? 1e-2;
  const diff = ins.flatMap((t, i) => (t.requiresGrad ? [i] : []));
  if (diff.length === 0) throw new Error('gradcheck expects at least one input tensor to require gradient');
  for (const i of diff) {
    if (ins[i]!.dtype !== 'float32') throw new Error(`gradcheck: input ${i} requires grad but is ${ins[i]!.dtype}`);
  }
  // tidy frees fn's tensors and graph; the Jacobians are host arrays.
  const [analytical, outSizes] = tidy(() => {
    const outs = enableGrad(() => asList(fn(...ins)).filter((o) => o.dtype === 'float32'));
    if (outs.length === 0) throw new Error('gradcheck: fn returned no float32 tensor');
    return [analyticalJacobians(outs, ins, diff), outs.map((o) => o.numel)] as const;
  });
  const numerical = numericalJacobians(fn, ins, diff, eps, outSizes);
  for (let o = 0; o < numerical.length; o++) {
    for (let d = 0; d < diff.length; d++) {
      const n = numerical[o]![d]!;
      const a = analytical[o]![d]!;
      let worst = -1;
      let worstExcess = 0;
      for (let k = 0; k < n.length; k++) {
        const excess = Math.abs(a[k]! - n[k]!) - (atol + rtol * Math.abs(n[k]!));
        if (!(excess <= worstExcess)) {
          worstExcess = Number.isNaN(excess) ? Infinity : excess;
          worst = k;
        }
      }
      if (worst < 0) continue;
      if (!(options.raiseException ?? true)) return false;
      const cols = ins[diff[d]!]!.numel;
      throw new Error(
        `Jacobian mismatch for output ${o} with respect to input ${diff[d]}: at output element ${Math.floor(worst / cols)}, input element ${worst % cols}, numerical ${n[worst]} vs analytical ${a[worst]} (atol ${atol}, rtol ${rtol}, eps ${eps}; input shape ${formatShape(ins[diff[d]!]!.shape)})\nnumerical:${formatJacobian(n, cols)}\nanalytical:${formatJacobian(a, cols)}`,
      );
    }
  }
  return true;
}

function formatJacobian(j: Float64Array, cols: number): string {
  if (j.length > 400) return ` (${j.length} entries, not printed)`;
  const rows: string[] = [];
  for (let r = 0; r * cols < j.length; r++) {
    rows.push(
      Array.from(j.subarray(r * cols, (r + 1) * cols))
        .map((v) => v.toPrecision(6))
        .join(', '),
    );
  }
  return `\n[${rows.join('\n ')}]`;
}

/**
 * torch.autograd.gradgradcheck: gradcheck of the first derivative, i.e. of
 * (inputs, gradOutputs) -> autograd.grad(fn(inputs), inputs, { gradOutputs, createGraph: true }),
 * which checks that the gradient rules fn uses are themselves differentiated correctly.
 */
export function gradgradcheck(fn: Fn, inputs: Tensor | readonly Tensor[], options: GradgradcheckOptions = {}): boolean {
  const ins = asList(inputs);
  const diff = ins.flatMap((t, i) => (t.requiresGrad ? [i] : []));
  if (diff.length === 0) throw new Error('gradgradcheck expects at least one input tensor to require gradient');
  let gradOutputs = options.gradOutputs;
  const made: Tensor[] = [];
  if (gradOutputs === undefined) {
    const gen = new Generator(options.seed ?? 0);
    const shapes = noGrad(() =>
      tidy(() =>
        asList(fn(...ins))
          .filter((o) => o.dtype === 'float32')
          .map((o) => o),
      ),
    );
    for (const o of shapes) {
      const values = new Float32Array(o.numel);
      for (let k = 0; k < values.length; k++) values[k] = gen.normal();
      made.push(upload(o, values).requiresGrad_(true));
      if (!ins.includes(o)) o.dispose();
    }
    gradOutputs = made;
  }
  const nOut = gradOutputs.length;
  const firstDerivative = (...all: Tensor[]): Tensor[] => {
    const x = all.slice(0, ins.length);
    const gos = all.slice(ins.length);
    // Recorded even when gradcheck evaluates it under noGrad: it is differentiated here.
    const outs = enableGrad(() => asList(fn(...x)).filter((o) => o.dtype === 'float32'));
    if (outs.length !== nOut) {
      throw new Error(`gradgradcheck: fn returned ${outs.length} float32 outputs, gradOutputs has ${nOut}`);
    }
    const used = outs.filter((o) => o.requiresGrad);
    if (used.length === 0) return diff.map((i) => zerosLikeOf(x[i]!));
    return computeGrad(
      used,
      diff.map((i) => x[i]!),
      {
        gradOutputs: outs.flatMap((o, k) => (o.requiresGrad ? [gos[k]!] : [])),
        createGraph: true,
        materializeGrads: true,
      },
    ) as Tensor[];
  };
  try {
    return gradcheck(firstDerivative, [...ins, ...gradOutputs], options);
  } finally {
    for (const t of made) t.dispose();
  }
}

function zerosLikeOf(t: Tensor): Tensor {
  return upload(t, new Float32Array(t.numel));
}
