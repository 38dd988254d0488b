/** Differential cases for the fused cross entropy and the one-pass activation gradients. */
import type { CrossEntropyKernelOptions } from '@flint/core/backend';
import { host, randint, randn, randu, Rng } from '../reference/index.js';
import { type CaseList, f32 } from './types.js';

export function lossCases(list: CaseList): void {
  const rng = new Rng(6400);
  const x = randn(rng, [64, 10], 3);
  const target = randint(rng, [64], 0, 10);
  const weight = randu(rng, [10], 0.5, 2);
  const options: CrossEntropyKernelOptions[] = [
    { ignoreIndex: -100, labelSmoothing: 0, reduction: 'mean' },
    { ignoreIndex: 3, labelSmoothing: 0.2, reduction: 'none' },
  ];
  for (const o of options) {
    const tag = `${o.reduction}, ignoreIndex ${o.ignoreIndex}, smoothing ${o.labelSmoothing}`;
    list.add(
      'crossEntropy',
      `crossEntropy [64,10] with weights, ${tag}`,
      [x, target, weight],
      (k, [a, t, w]) => {
        const r = k.crossEntropy!(a!, t!, w!, o);
        return [r.loss, r.logSumExp];
      },
      [f32(o.reduction === 'none' ? [64] : []), f32([64])],
    );
    const grad = o.reduction === 'none' ? randn(rng, [64]) : host([], 'float32', [1]);
    // The logsumexp the forward would have saved, from the host.
    const lse = host(
      [64],
      'float32',
      Array.from({ length: 64 }, (_, r) => {
        const row = Array.from(x.data.subarray(r * 10, r * 10 + 10));
        const m = Math.max(...row);
        return Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) + m;
      }),
    );
    list.add(
      'crossEntropyBackward',
      `crossEntropyBackward [64,10] with weights, ${tag}`,
      [grad, x, lse, target, weight],
      (k, [g, a, l, t, w]) => [k.crossEntropyBackward!(g!, a!, l!, t!, w!, o)],
      [f32([64, 10])],
    );
  }
  const dy = randn(rng, [64, 16]);
  const relu = host(
    [64, 16],
    'float32',
    randn(rng, [64 * 16]).data.map((v) => Math.max(v, 0)),
  );
  list.add('reluBackward', 'reluBackward [64,16]', [dy, relu], (k, [g, y]) => [k.reluBackward!(g!, y!)], [
    f32([64, 16]),
  ]);
  list.add(
    'sigmoidBackward',
    'sigmoidBackward [64,16]',
    [dy, randu(rng, [64, 16], 0, 1)],
    (k, [g, y]) => [k.sigmoidBackward!(g!, y!)],
    [f32([64, 16])],
  );
  list.add(
    'tanhBackward',
    'tanhBackward [64,16]',
    [dy, randu(rng, [64, 16], -1, 1)],
    (k, [g, y]) => [k.tanhBackward!(g!, y!)],
    [f32([64, 16])],
  );
}
