/**
 * Training parity and training-leak checks, written once and run by every backend (issues 3 and 4).
 *
 * `runParity` trains the three digit classifiers (784-16-16-10 sigmoid MLP, 784-512-512-10 ReLU
 * MLP, LeNet-5) from `manualSeed(0)` on a reference backend (cpu) and on the backend under test,
 * with identical weights and identical batches, and asserts that the per-step losses agree within
 * `rtol` relative. `runTrainingLeakCheck` trains 100 steps and asserts that nothing grows between
 * step 10 and step 100. Both register vitest blocks; call them at the top level of a test file.
 *
 * Like `runConformance`, this module loads `@flint/core` lazily (inside the describe callback), so
 * importing `@flint/conformance` does not pull in core's auto-loader.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '@flint/core/backend';
import type * as FlintCore from '@flint/core';
import { openBackend, type BackendFactory } from './backend-factory.js';
import { Rng } from './reference/random.js';

type Api = typeof FlintCore;
type Module = FlintCore.nn.Module;

export type ParityModelName = 'mlp-small' | 'mlp' | 'lenet';
export const PARITY_MODELS: readonly ParityModelName[] = ['mlp-small', 'mlp', 'lenet'];

/** A number for every model, or per model (models not named take the default). */
export type PerModel<T> = T | Partial<Record<ParityModelName, T>>;

/**
 * Default SGD learning rates (momentum 0.9, batch 64). Each trains its model well within 50 steps
 * on the synthetic digits (loss 2.3 -> 0.3 / 0.03 / 0.5). They stay out of the configurations
 * where the training run amplifies float32 rounding past 1e-4: for LeNet at lr 0.05 or 0.01, one
 * of the two correct cpu GEMMs (wasm SIMD or JS, different summation orders) ends 7.7e-4 or
 * 2.5e-4 from tfjs by step 50. At 0.02, every pair of backends measured stays within ~1e-6.
 * See README "Parity".
 */
export const PARITY_DEFAULT_LR: Readonly<Record<ParityModelName, number>> = {
  'mlp-small': 0.5,
  mlp: 0.02,
  lenet: 0.02,
};

export interface ParityOptions<S = unknown, R = unknown> {
  /** The backend under test; the check calls its `init()` once if it has one. */
  backend: BackendFactory<S>;
  /**
   * The reference backend (cpu). Conformance does not depend on @flint/backend-cpu: pass
   * `() => cpuBackend`, or omit it and the backend registered as 'cpu' in core's registry is used
   * (the test file must then import @flint/backend-cpu).
   */
  reference?: BackendFactory<R>;
  /** Models to train (default: all three). */
  models?: readonly ParityModelName[];
  /** SGD steps per model (default 50), e.g. `50` or `{ lenet: 10 }` (unnamed models: 50). */
  steps?: PerModel<number>;
  /** Largest allowed relative deviation of a step's loss from the reference's (default 1e-4). */
  rtol?: number;
  /** Batch size (default 64). */
  batchSize?: number;
  /** SGD learning rate (momentum 0.9); default PARITY_DEFAULT_LR per model. */
  lr?: PerModel<number>;
  /** vitest timeout per model in ms (default 600 000). */
  timeoutMs?: number;
}

export interface TrainingLeakOptions<S = unknown> {
  /** The backend under test; the check calls its `init()` once if it has one. */
  backend: BackendFactory<S>;
  /** Training steps (default 100); the counters are compared after step 10 and after the last. */
  steps?: number;
  /** Model to train (default 'mlp-small'). */
  model?: ParityModelName;
  batchSize?: number;
  lr?: number;
  /** An engine-level counter that must not grow either, e.g. `() => tf.memory().numTensors`. */
  extraCounter?: () => number;
  /** Name of the extra counter in messages (default 'extraCounter'). */
  extraCounterName?: string;
  timeoutMs?: number;
}

export interface ParityResult {
  model: ParityModelName;
  steps: number;
  lr: number;
  reference: { losses: number[]; seconds: number };
  test: { losses: number[]; seconds: number };
  maxAbsDeviation: number;
  maxRelDeviation: number;
  /** The step (1-based) with the largest relative deviation. */
  worstStep: number;
}

// ------------------------------------------------------------------------------------ models

/** The three models as PyTorch-style classes (built lazily: `nn` comes from the lazily loaded core). */
function defineModels(nn: Api['nn']): Record<ParityModelName, (device: string) => Module> {
  /** 784-16-16-10 with sigmoid activations (the course's network, 13,002 parameters). */
  class MlpSmall extends nn.Module {
    flatten = new nn.Flatten();
    layers: FlintCore.nn.Sequential;
    constructor(device: string) {
      super();
      this.layers = new nn.Sequential(
        new nn.Linear(784, 16, { device }),
        new nn.Sigmoid(),
        new nn.Linear(16, 16, { device }),
        new nn.Sigmoid(),
        new nn.Linear(16, 10, { device }),
      );
    }
    override forward(x: FlintCore.Tensor): FlintCore.Tensor {
      return this.layers(this.flatten(x));
    }
  }

  /** 784-512-512-10 with ReLU (PyTorch's quickstart network). */
  class Mlp extends nn.Module {
    flatten = new nn.Flatten();
    layers: FlintCore.nn.Sequential;
    constructor(device: string) {
      super();
      this.layers = new nn.Sequential(
        new nn.Linear(784, 512, { device }),
        new nn.ReLU(),
        new nn.Linear(512, 512, { device }),
        new nn.ReLU(),
        new nn.Linear(512, 10, { device }),
      );
    }
    override forward(x: FlintCore.Tensor): FlintCore.Tensor {
      return this.layers(this.flatten(x));
    }
  }

  /** LeNet-5: conv 6@5x5 pad 2, ReLU, maxpool 2, conv 16@5x5, ReLU, maxpool 2, 120, 84, 10. */
  class LeNet extends nn.Module {
    features: FlintCore.nn.Sequential;
    classifier: FlintCore.nn.Sequential;
    constructor(device: string) {
      super();
      this.features = new nn.Sequential(
        new nn.Conv2d(1, 6, 5, { padding: 2, device }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Conv2d(6, 16, 5, { device }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
      );
      this.classifier = new nn.Sequential(
        new nn.Flatten(),
        new nn.Linear(16 * 5 * 5, 120, { device }),
        new nn.ReLU(),
        new nn.Linear(120, 84, { device }),
        new nn.ReLU(),
        new nn.Linear(84, 10, { device }),
      );
    }
    override forward(x: FlintCore.Tensor): FlintCore.Tensor {
      return this.classifier(this.features(x));
    }
  }

  return {
    'mlp-small': (device) => new MlpSmall(device),
    mlp: (device) => new Mlp(device),
    lenet: (device) => new LeNet(device),
  };
}

/** Builds one of the parity models with its parameters on `device` (from core's default generator). */
export function createParityModel(api: Api, name: ParityModelName, device: string): Module {
  return defineModels(api.nn)[name](device);
}

// -------------------------------------------------------------------------------------- data

/**
 * A fixed synthetic digit set: MNIST-shaped images [1, 28, 28] with learnable structure. Each
 * class has a prototype of three strokes (anti-aliased line segments, fixed by the seed); a sample
 * is its class prototype shifted by up to 2 pixels, scaled in intensity, plus noise, clipped to
 * [0, 1] and then (by default) normalised with MNIST's mean and std as torchvision's
 * Normalize((0.1307,), (0.3081,)) does.
 * Batches are cut on the host in a seeded shuffled order (reshuffled each epoch), so every backend
 * sees the same bytes. Deterministic: it depends on nothing but the seed.
 */
export class SyntheticDigits {
  static readonly PIXELS = 28 * 28;
  readonly images: Float32Array;
  readonly labels: Int32Array;
  private readonly order: Int32Array;
  private readonly orderRng: Rng;
  private pos: number;

  constructor(
    readonly count = 2048,
    seed = 20240607,
    normalize = true,
  ) {
    const rng = new Rng(seed);
    const prototypes = Array.from({ length: 10 }, () => strokePrototype(rng));
    this.images = new Float32Array(count * SyntheticDigits.PIXELS);
    this.labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % 10;
      this.labels[i] = label;
      const proto = prototypes[label]!;
      const dx = rng.int(-2, 3);
      const dy = rng.int(-2, 3);
      const gain = rng.uniform(0.7, 1);
      const base = i * SyntheticDigits.PIXELS;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const sx = x - dx;
          const sy = y - dy;
          const v = sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? proto[sy * 28 + sx]! * gain : 0;
          const pixel = Math.min(1, Math.max(0, v + 0.1 * rng.normal()));
          this.images[base + y * 28 + x] = normalize ? (pixel - MNIST_MEAN) / MNIST_STD : pixel;
        }
      }
    }
    this.orderRng = new Rng(seed ^ 0x5bd1e995);
    this.order = new Int32Array(count);
    this.pos = count;
  }

  /** The next batch (host arrays): images [n, 1, 28, 28] and int32 labels [n]. */
  nextBatch(n: number): { x: Float32Array; y: Int32Array } {
    const x = new Float32Array(n * SyntheticDigits.PIXELS);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (this.pos >= this.count) this.shuffle();
      const j = this.order[this.pos++]!;
      x.set(
        this.images.subarray(j * SyntheticDigits.PIXELS, (j + 1) * SyntheticDigits.PIXELS),
        i * SyntheticDigits.PIXELS,
      );
      y[i] = this.labels[j]!;
    }
    return { x, y };
  }

  private shuffle(): void {
    for (let i = 0; i < this.count; i++) this.order[i] = i;
    for (let i = this.count - 1; i > 0; i--) {
      const j = this.orderRng.int(0, i + 1);
      const t = this.order[i]!;
      this.order[i] = this.order[j]!;
      this.order[j] = t;
    }
    this.pos = 0;
  }
}

const MNIST_MEAN = 0.1307;
const MNIST_STD = 0.3081;

function strokePrototype(rng: Rng): Float64Array {
  const img = new Float64Array(28 * 28);
  for (let s = 0; s < 3; s++) {
    const x0 = rng.uniform(6, 22);
    const y0 = rng.uniform(5, 23);
    const x1 = rng.uniform(6, 22);
    const y1 = rng.uniform(5, 23);
    const width = rng.uniform(1, 1.8);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const d = distanceToSegment(x, y, x0, y0, x1, y1);
        const v = Math.max(0, Math.min(1, width + 0.5 - d));
        img[y * 28 + x] = Math.max(img[y * 28 + x]!, v);
      }
    }
  }
  return img;
}

function distanceToSegment(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const vx = x1 - x0;
  const vy = y1 - y0;
  const len2 = vx * vx + vy * vy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * vx + (py - y0) * vy) / len2));
  return Math.hypot(px - (x0 + t * vx), py - (y0 + t * vy));
}

// ---------------------------------------------------------------------------------- training

function perModel<T>(value: PerModel<T> | undefined, model: ParityModelName, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'object' && value !== null)
    return (value as Partial<Record<ParityModelName, T>>)[model] ?? fallback;
  return value as T;
}

async function prepare<S>(api: Api, factory: BackendFactory<S>): Promise<Backend<unknown>> {
  const b = await openBackend(factory);
  // The registry must hold this very instance, so that `device: b.name` reaches it.
  if (!api.hasBackend(b.name) || api.getBackend(b.name) !== b) api.registerBackend(b);
  return b;
}

interface Trainer {
  model: Module;
  /**
   * One SGD step in tidy(); resolves to the loss. The step's only readback is `await loss.data()`,
   * so backends that read only asynchronously (WebGPU) run the same check.
   */
  step(batch: { x: Float32Array; y: Int32Array }): Promise<number>;
  dispose(): void;
}

function trainer(api: Api, model: Module, device: string, lr: number): Trainer {
  const opt = new api.optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const lossFn = new api.nn.CrossEntropyLoss();
  model.train();
  return {
    model,
    async step(batch) {
      const n = batch.y.length;
      const loss = api.tidy(() => {
        const x = api.fromArray(batch.x, [n, 1, 28, 28], { device });
        const y = api.fromArray(batch.y, [n], { dtype: 'int32', device });
        opt.zeroGrad();
        const l: FlintCore.Tensor = lossFn(model(x), y);
        l.backward();
        opt.step();
        return l;
      });
      try {
        return ((await loss.data()) as Float32Array)[0]!;
      } finally {
        loss.dispose();
      }
    },
    dispose() {
      opt.zeroGrad();
      opt.disposeState();
      for (const p of model.parameters()) p.dispose();
    },
  };
}

async function hostParams(model: Module): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const p of model.parameters()) out.push(Float32Array.from((await p.data()) as Float32Array));
  return out;
}

async function trainLosses(
  t: Trainer,
  steps: number,
  batchSize: number,
): Promise<{ losses: number[]; seconds: number }> {
  const data = new SyntheticDigits();
  const losses: number[] = [];
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) losses.push(await t.step(data.nextBatch(batchSize)));
  return { losses, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Train `model` on the reference and on the backend under test from the same weights and
 * batches; returns the per-step losses and their deviations (no assertion).
 */
export async function measureParity(
  api: Api,
  reference: Backend<unknown>,
  backend: Backend<unknown>,
  model: ParityModelName,
  options: { steps: number; batchSize: number; lr: number },
): Promise<ParityResult> {
  const create = defineModels(api.nn)[model];
  api.manualSeed(0);
  const refModel = create(reference.name);
  // The model under test: a copy of the reference's weights (stateDict copy), moved with .to().
  const testModel = create(reference.name);
  testModel.loadStateDict(refModel.stateDict());
  testModel.to(backend.name);
  const [a, b] = [await hostParams(refModel), await hostParams(testModel)];
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.length !== b[i]!.length || a[i]!.some((v, j) => !Object.is(v, b[i]![j]))) {
      throw new Error(`parity ${model}: parameter ${i} differs after copying the weights to ${backend.name}`);
    }
  }

  const refTrainer = trainer(api, refModel, reference.name, options.lr);
  const testTrainer = trainer(api, testModel, backend.name, options.lr);
  try {
    const ref = await trainLosses(refTrainer, options.steps, options.batchSize);
    const test = await trainLosses(testTrainer, options.steps, options.batchSize);
    let maxAbs = 0;
    let maxRel = 0;
    let worst = 1;
    for (let i = 0; i < options.steps; i++) {
      const d = Math.abs(test.losses[i]! - ref.losses[i]!);
      const abs = Number.isNaN(d) ? Infinity : d;
      const rel = abs / Math.max(Math.abs(ref.losses[i]!), 1e-30);
      maxAbs = Math.max(maxAbs, abs);
      if (rel > maxRel) {
        maxRel = rel;
        worst = i + 1;
      }
    }
    return {
      model,
      steps: options.steps,
      lr: options.lr,
      reference: ref,
      test,
      maxAbsDeviation: maxAbs,
      maxRelDeviation: maxRel,
      worstStep: worst,
    };
  } finally {
    refTrainer.dispose();
    testTrainer.dispose();
  }
}

const fmt = (v: number): string => (v === 0 ? '0' : v.toExponential(1));

/** Registers one parity test per model (vitest). */
export function runParity<S, R>(options: ParityOptions<S, R>): void {
  const models = options.models ?? PARITY_MODELS;
  const rtol = options.rtol ?? 1e-4;
  const batchSize = options.batchSize ?? 64;
  describe('parity', async () => {
    const api: Api = await import('@flint/core');
    const backend = await prepare(api, options.backend);
    const reference =
      options.reference !== undefined
        ? await prepare(api, options.reference)
        : await prepare(api, () => {
            if (!api.hasBackend('cpu')) {
              throw new Error(
                'runParity: no reference backend: pass `reference: () => cpuBackend` or import @flint/backend-cpu',
              );
            }
            return api.getBackend('cpu');
          });
    if (reference === backend) throw new Error('runParity: the backend under test is the reference backend');
    const label = `${backend.name}/${backend.engine()} vs ${reference.name}`;

    for (const model of models) {
      const steps = perModel(options.steps, model, 50);
      const lr = perModel(options.lr, model, PARITY_DEFAULT_LR[model]);
      it(
        `${model}: ${steps} SGD steps (lr ${lr}, momentum 0.9, batch ${batchSize}) from manualSeed(0): per-step losses within ${rtol} relative of ${reference.name}`,
        async () => {
          const r = await measureParity(api, reference, backend, model, { steps, batchSize, lr });
          const first = r.reference.losses[0]!;
          const last = r.reference.losses[steps - 1]!;
          console.log(
            `parity[${label}] ${model}: ${steps} steps, max abs dev ${fmt(r.maxAbsDeviation)}, max rel dev ${fmt(r.maxRelDeviation)} ` +
              `(step ${r.worstStep}; loss ${first.toFixed(4)} -> ${last.toFixed(4)}; ${reference.name} ${r.reference.seconds.toFixed(1)} s, ` +
              `${backend.name} ${r.test.seconds.toFixed(1)} s)`,
          );
          const bad = r.test.losses.findIndex(
            (l, i) => !(Math.abs(l - r.reference.losses[i]!) <= rtol * Math.abs(r.reference.losses[i]!)),
          );
          expect(
            bad,
            bad < 0
              ? ''
              : `step ${bad + 1}: ${backend.name} loss ${r.test.losses[bad]} vs ${reference.name} ${r.reference.losses[bad]} ` +
                  `(max rel dev ${fmt(r.maxRelDeviation)} > ${rtol}); ${reference.name} losses ${JSON.stringify(r.reference.losses)}, ` +
                  `${backend.name} losses ${JSON.stringify(r.test.losses)}`,
          ).toBe(-1);
          // The synthetic data is learnable: a check that passes on a model that does not train
          // would prove little.
          if (steps >= 10)
            expect(last, `${model}: the reference loss should fall over ${steps} steps`).toBeLessThan(first);
        },
        options.timeoutMs ?? 600_000,
      );
    }
  });
}

/** Registers the training leak test (vitest): counters equal after step 10 and after the last step. */
export function runTrainingLeakCheck<S>(options: TrainingLeakOptions<S>): void {
  const steps = options.steps ?? 100;
  const model = options.model ?? 'mlp-small';
  const batchSize = options.batchSize ?? 64;
  const lr = options.lr ?? PARITY_DEFAULT_LR[model];
  const extraName = options.extraCounterName ?? 'extraCounter';
  if (steps < 10) throw new Error('runTrainingLeakCheck: steps must be at least 10');
  describe('training leak check', async () => {
    const api: Api = await import('@flint/core');
    const backend = await prepare(api, options.backend);
    const label = `${backend.name}/${backend.engine()}`;
    it(
      `${model}: ${steps} training steps; memory() handles/bytes, backend handles${options.extraCounter ? ` and ${extraName}` : ''} equal after step 10 and step ${steps}`,
      async () => {
        const snapshot = () => {
          const m = api.memory();
          return {
            handles: m.handles,
            bytes: m.bytes,
            backendHandles: backend.memory().handles,
            backendBytes: backend.memory().bytes,
            ...(options.extraCounter ? { [extraName]: options.extraCounter() } : {}),
          };
        };
        const before = snapshot();
        api.manualSeed(0);
        const t = trainer(api, defineModels(api.nn)[model](backend.name), backend.name, lr);
        const data = new SyntheticDigits();
        let at10: ReturnType<typeof snapshot> | undefined;
        const t0 = performance.now();
        const losses: number[] = [];
        for (let s = 1; s <= steps; s++) {
          losses.push(await t.step(data.nextBatch(batchSize)));
          if (s === 10) at10 = snapshot();
        }
        const atEnd = snapshot();
        const seconds = (performance.now() - t0) / 1000;
        t.dispose();
        const after = snapshot();
        const show = (s: Record<string, number>) =>
          Object.entries(s)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
        console.log(
          `leak[${label}] ${model}: after step 10: ${show(at10!)}; after step ${steps}: ${show(atEnd)}; ` +
            `after dispose: ${show(after)} (before: ${show(before)}); ${seconds.toFixed(1)} s`,
        );
        expect(losses.every(Number.isFinite), 'losses are finite').toBe(true);
        expect(atEnd, `counters after step ${steps} vs after step 10`).toEqual(at10);
      },
      options.timeoutMs ?? 600_000,
    );
  });
}
