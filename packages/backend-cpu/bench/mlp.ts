/**
 * Kernel-level cost of one 784-512-512-10 MLP training step (batch 64) on the CPU backend: the
 * kernels core's autograd would call (linear, relu, logSoftmax forward; matmuls with transposes,
 * reductions and elementwise ops backward; an SGD update). No autograd overhead is included.
 * Each GEMM configuration (bench/configs.ts) runs alternate steps.
 * Run: npx tsx bench/mlp.ts
 */
import type { Shape, TensorRef } from '@flint/core/backend';
import { kernels as K } from '../src/kernels.js';
import type { CpuStorage } from '../src/storage.js';
import { best, gemmConfigs, interleave, median } from './configs.js';

const B = 64;
const sizes = [784, 512, 512, 10];
const r = (s: CpuStorage, shape: Shape): TensorRef<CpuStorage> => ({ storage: s, shape, dtype: s.dtype });
const rand = (n: number) => Float32Array.from({ length: n }, () => (Math.random() - 0.5) * 0.1);

const W = sizes.slice(1).map((o, i) => K.write(rand(o * sizes[i]!), [o, sizes[i]!], 'float32'));
const Bs = sizes.slice(1).map((o) => K.write(rand(o), [o], 'float32'));
const x = K.write(rand(B * 784), [B, 784], 'float32');
const lr = K.fill([], 'float32', 0.01);

function step(): void {
  const temps: CpuStorage[] = [];
  const keep = <T extends CpuStorage>(s: T): T => {
    temps.push(s);
    return s;
  };
  // forward
  const acts: CpuStorage[] = [x];
  const pre: CpuStorage[] = [];
  for (let l = 0; l < 3; l++) {
    const z = keep(
      K.linear(r(acts[l]!, [B, sizes[l]!]), r(W[l]!, [sizes[l + 1]!, sizes[l]!]), r(Bs[l]!, [sizes[l + 1]!]), [
        B,
        sizes[l + 1]!,
      ]),
    );
    pre.push(z);
    acts.push(l < 2 ? keep(K.relu(r(z, [B, sizes[l + 1]!]))) : z);
  }
  const logp = keep(K.logSoftmax(r(acts[3]!, [B, 10]), 1));
  // backward (d loss / d logits = softmax - onehot, scaled)
  let g = keep(K.exp(r(logp, [B, 10])));
  for (let l = 2; l >= 0; l--) {
    const o = sizes[l + 1]!;
    const i = sizes[l]!;
    const dW = keep(K.matmul(r(g, [B, o]), r(acts[l]!, [B, i]), true, false, [o, i]));
    const db = keep(K.sum(r(g, [B, o]), [0]));
    if (l > 0) {
      const dx = keep(K.matmul(r(g, [B, o]), r(W[l]!, [o, i]), false, false, [B, i]));
      const mask = keep(K.gt(r(pre[l - 1]!, [B, i]), r(K.fill([], 'float32', 0), []), [B, i]));
      g = keep(K.where(r(mask, [B, i]), r(dx, [B, i]), r(keep(K.fill([], 'float32', 0)), []), [B, i]));
    }
    // SGD
    for (const [p, d, shape] of [
      [W[l]!, dW, [o, i]],
      [Bs[l]!, db, [o]],
    ] as const) {
      const upd = keep(K.mul(r(d, shape), r(lr, []), shape));
      const np = K.sub(r(p, shape), r(upd, shape), shape);
      p.data.set(np.data);
      K.dispose(np);
    }
  }
  for (const t of temps) K.dispose(t);
}

const configs = gemmConfigs();
interleave(configs, step, 0, 3); // warm-up
const times = interleave(configs, step, 6000, 10);
console.log(`MLP 784-512-512-10, batch ${B}, kernels only: ms/step and samples/s, median (best)`);
configs.forEach((c, i) => {
  const med = median(times[i]!);
  const min = best(times[i]!);
  console.log(
    `  ${c.name.padEnd(16)} ${med.toFixed(1).padStart(6)} ms (${min.toFixed(1)})  ${((B * 1000) / med).toFixed(0).padStart(6)} samples/s (${((B * 1000) / min).toFixed(0)})`,
  );
});
