/**
 * Cases for the optional fused training kernels: crossEntropy, crossEntropyBackward and the
 * activation gradients reluBackward, sigmoidBackward and tanhBackward. References are float64
 * formulas of core's contract (backend/kernels.ts), written out naively per element.
 */
import type { CrossEntropyKernelOptions } from '@flint/core/backend';
import { host, randn, randu, Rng, type HostTensor } from '../reference/index.js';
import { kc, sh, type ComputeCase } from './types.js';

const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

interface RowTerms {
  /** Per row: logsumexp. */
  lse: number[];
  /** Per row: the loss term (0 if ignored, NaN for an out-of-range class). */
  loss: number[];
  /** Per row: w[tc] of a valid row, 0 if ignored. */
  picked: number[];
}

function rowTerms(
  x: HostTensor,
  target: HostTensor,
  weight: HostTensor | null,
  o: CrossEntropyKernelOptions,
): RowTerms {
  const [n, C] = x.shape as [number, number];
  const w = (c: number) => (weight === null ? 1 : weight.data[c]!);
  const terms: RowTerms = { lse: [], loss: [], picked: [] };
  for (let r = 0; r < n; r++) {
    const row = Array.from({ length: C }, (_, c) => x.data[r * C + c]!);
    const m = Math.max(...row);
    const shift = m === -INF ? 0 : m;
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v - shift), 0)) + shift;
    terms.lse.push(lse);
    const t = target.data[r]!;
    if (t === o.ignoreIndex) {
      terms.loss.push(0);
      terms.picked.push(0);
      continue;
    }
    const tc = Math.min(Math.max(t, 0), C - 1);
    const nll = -w(tc) * (row[tc]! - lse);
    // Without smoothing the sum over classes takes no part (a -inf logit must not make it 0 * inf).
    const smooth = o.labelSmoothing > 0 ? -row.reduce((s, v, c) => s + w(c) * (v - lse), 0) : 0;
    const value = (1 - o.labelSmoothing) * nll + (o.labelSmoothing / C) * smooth;
    terms.loss.push(t === tc ? value : NAN);
    terms.picked.push(w(tc));
  }
  return terms;
}

const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);

function crossEntropyRef(x: HostTensor, target: HostTensor, weight: HostTensor | null, o: CrossEntropyKernelOptions) {
  const terms = rowTerms(x, target, weight, o);
  const n = x.shape[0]!;
  const loss =
    o.reduction === 'none'
      ? host([n], 'float32', terms.loss)
      : host([], 'float32', [o.reduction === 'sum' ? sum(terms.loss) : sum(terms.loss) / sum(terms.picked)]);
  return [loss, host([n], 'float32', terms.lse)];
}

function crossEntropyBackwardRef(
  grad: HostTensor,
  x: HostTensor,
  target: HostTensor,
  weight: HostTensor | null,
  o: CrossEntropyKernelOptions,
): HostTensor {
  const [n, C] = x.shape as [number, number];
  const terms = rowTerms(x, target, weight, o);
  const w = (c: number) => (weight === null ? 1 : weight.data[c]!);
  const weightSum = weight === null ? C : sum(Array.from(weight.data));
  const eps = o.labelSmoothing;
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    const t = target.data[r]!;
    const s =
      o.reduction === 'none'
        ? grad.data[r]!
        : o.reduction === 'sum'
          ? grad.data[0]!
          : grad.data[0]! / sum(terms.picked);
    // The saved logsumexp is float32 (what the forward kernel hands the backward).
    const lse = Math.fround(terms.lse[r]!);
    const tc = Math.min(Math.max(t, 0), C - 1);
    for (let c = 0; c < C; c++) {
      if (t === o.ignoreIndex) {
        out.push(0);
        continue;
      }
      const p = Math.exp(x.data[r * C + c]! - lse);
      out.push(s * ((1 - eps) * w(tc) * (p - (c === tc ? 1 : 0)) + (eps / C) * (weightSum * p - w(c))));
    }
  }
  return host([n, C], 'float32', out);
}

const DEFAULT: CrossEntropyKernelOptions = { ignoreIndex: -100, labelSmoothing: 0, reduction: 'mean' };

interface CeCase {
  name: string;
  x: HostTensor;
  target: number[];
  weight?: HostTensor;
  options?: Partial<CrossEntropyKernelOptions>;
}

function ceCaseList(): CeCase[] {
  const rng = new Rng(6100);
  const classes = (n: number, C: number) => Array.from({ length: n }, () => rng.int(0, C));
  const large = randn(rng, [3, 5], 3);
  return [
    { name: 'mean', x: randn(rng, [6, 4], 2), target: classes(6, 4) },
    { name: 'sum', x: randn(rng, [5, 3], 2), target: classes(5, 3), options: { reduction: 'sum' } },
    { name: 'none', x: randn(rng, [4, 7], 2), target: classes(4, 7), options: { reduction: 'none' } },
    { name: 'one class', x: randn(rng, [3, 1]), target: [0, 0, 0] },
    { name: 'one row', x: randn(rng, [1, 10], 2), target: [9] },
    {
      name: 'class weights, mean over the picked weights',
      x: randn(rng, [6, 3], 2),
      target: [0, 1, 2, 2, 1, 0],
      weight: randu(rng, [3], 0.2, 2),
    },
    {
      name: 'ignoreIndex -100 (default) and 1',
      x: randn(rng, [5, 3], 2),
      target: [0, -100, 2, 1, 1],
      options: { ignoreIndex: 1 },
    },
    { name: 'ignoreIndex default', x: randn(rng, [4, 3], 2), target: [2, -100, 0, -100] },
    {
      name: 'label smoothing 0.1',
      x: randn(rng, [5, 4], 2),
      target: classes(5, 4),
      options: { labelSmoothing: 0.1 },
    },
    {
      name: 'label smoothing 0.3 with weights, ignored rows, none',
      x: randn(rng, [5, 4], 2),
      target: [3, 0, -1, 2, 1],
      weight: randu(rng, [4], 0.5, 1.5),
      options: { labelSmoothing: 0.3, ignoreIndex: -1, reduction: 'none' },
    },
    {
      name: 'smoothing 1 (uniform target)',
      x: randn(rng, [3, 4], 2),
      target: classes(3, 4),
      options: { labelSmoothing: 1 },
    },
    {
      name: 'large logits (needs the max shift)',
      x: host(
        large.shape,
        'float32',
        large.data.map((v) => v + 1000),
      ),
      target: [4, 0, 2],
    },
    {
      name: 'very negative logits',
      x: host(
        large.shape,
        'float32',
        large.data.map((v) => v * 30 - 500),
      ),
      target: [1, 3, 0],
      options: { reduction: 'sum' },
    },
    { name: 'a -inf logit off target', x: host([2, 3], 'float32', [-INF, 1, 2, 0, -INF, 3]), target: [1, 2] },
    { name: 'empty batch, sum', x: host([0, 3], 'float32', []), target: [], options: { reduction: 'sum' } },
    { name: 'every row ignored (mean is 0/0)', x: randn(rng, [2, 3]), target: [-100, -100] },
  ];
}

function resolve(c: CeCase): { target: HostTensor; weight: HostTensor | null; o: CrossEntropyKernelOptions } {
  return {
    target: host([c.target.length], 'int32', c.target),
    weight: c.weight ?? null,
    o: { ...DEFAULT, ...c.options },
  };
}

export function crossEntropyCases(): ComputeCase[] {
  const cases = ceCaseList().map((c) => {
    const { target, weight, o } = resolve(c);
    return kc(
      `crossEntropy ${c.name} ${sh(c.x.shape)} ${o.reduction}`,
      weight === null ? [c.x, target] : [c.x, target, weight],
      (k, [x, t, w]) => {
        const r = k.crossEntropy!(x!, t!, w ?? null, o);
        return [r.loss, r.logSumExp];
      },
      () => crossEntropyRef(c.x, target, weight, o),
    );
  });
  // A class index outside [0, C) that is not ignored makes its row's loss (and the mean) NaN.
  const x = randn(new Rng(6101), [3, 4], 2);
  for (const [bad, reduction] of [
    [4, 'mean'],
    [-3, 'none'],
  ] as const) {
    const target = host([3], 'int32', [0, bad, 1]);
    const o: CrossEntropyKernelOptions = { ...DEFAULT, reduction };
    cases.push(
      kc(
        `crossEntropy out-of-range class ${bad} is NaN, ${reduction}`,
        [x, target],
        (k, [a, t]) => {
          const r = k.crossEntropy!(a!, t!, null, o);
          return [r.loss, r.logSumExp];
        },
        () => crossEntropyRef(x, target, null, o),
      ),
    );
  }
  return cases;
}

export function crossEntropyBackwardCases(): ComputeCase[] {
  const rng = new Rng(6200);
  return ceCaseList()
    .filter((c) => !c.name.startsWith('every row ignored'))
    .map((c) => {
      const { target, weight, o } = resolve(c);
      const n = c.x.shape[0]!;
      const grad = o.reduction === 'none' ? randn(rng, [n]) : host([], 'float32', [o.reduction === 'sum' ? 0.5 : 1.5]);
      const lse = crossEntropyRef(c.x, target, weight, o)[1]!;
      return kc(
        `crossEntropyBackward ${c.name} ${sh(c.x.shape)} ${o.reduction}`,
        weight === null ? [grad, c.x, lse, target] : [grad, c.x, lse, target, weight],
        (k, [g, x, l, t, w]) => [k.crossEntropyBackward!(g!, x!, l!, t!, w ?? null, o)],
        () => [crossEntropyBackwardRef(grad, c.x, target, weight, o)],
      );
    });
}

type ActivationBackward = 'reluBackward' | 'sigmoidBackward' | 'tanhBackward';

const f = Math.fround;
const ACTIVATION_REF: Record<ActivationBackward, (dy: number, y: number) => number> = {
  reluBackward: (dy, y) => (y > 0 ? dy : 0),
  sigmoidBackward: (dy, y) => dy * f(y * f(1 - y)),
  tanhBackward: (dy, y) => dy * f(1 - f(y * y)),
};

/** Saved outputs of each activation: inside its range, at its edges, and NaN. */
function outputsOf(name: ActivationBackward, rng: Rng): HostTensor[] {
  if (name === 'reluBackward')
    return [
      host(
        [3, 4],
        'float32',
        randn(rng, [12]).data.map((v) => Math.max(v, 0)),
      ),
      host([6], 'float32', [0, -0, 1e-30, NAN, INF, 2]),
    ];
  const lo = name === 'sigmoidBackward' ? 0 : -1;
  return [randu(rng, [3, 4], lo, 1), host([5], 'float32', [lo, 1, 0.5, NAN, 1e-20])];
}

export function activationBackwardCases(name: ActivationBackward): ComputeCase[] {
  const rng = new Rng(name === 'reluBackward' ? 6300 : name === 'sigmoidBackward' ? 6301 : 6302);
  const ref = ACTIVATION_REF[name];
  const cases = outputsOf(name, rng).map((y) => {
    const dy = randn(rng, y.shape, 2);
    return kc(
      `${name} ${sh(y.shape)}${y.data.some(Number.isNaN) ? ' edges and NaN' : ''}`,
      [dy, y],
      (k, [g, out]) => [k[name]!(g!, out!)],
      () => [
        host(
          y.shape,
          'float32',
          Array.from(y.data, (v, i) => ref(dy.data[i]!, v)),
        ),
      ],
    );
  });
  const empty = host([0], 'float32', []);
  cases.push(
    kc(
      `${name} empty [0]`,
      [empty, empty],
      (k, [g, out]) => [k[name]!(g!, out!)],
      () => [empty],
    ),
  );
  if (name === 'reluBackward') {
    // An infinite gradient where the unit is off gives 0 (threshold_backward), not 0 * inf.
    const dy = host([3], 'float32', [INF, -INF, NAN]);
    const y = host([3], 'float32', [0, 0, 0]);
    cases.push(
      kc(
        'reluBackward of an infinite gradient at an off unit is 0',
        [dy, y],
        (k, [g, out]) => [k.reluBackward!(g!, out!)],
        () => [host([3], 'float32', [0, 0, 0])],
      ),
    );
  }
  return cases;
}
