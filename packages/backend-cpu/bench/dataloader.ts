/**
 * Does background batch preparation (DataLoader's numWorkers) pay for in-memory datasets?
 *
 * Measures, on the CPU backend, batch 64 of 784 features (MNIST-shaped):
 *  1. a batch from a TensorDataset (the gather path: one index upload, one indexSelect per tensor);
 *  2. a batch from a Dataset whose get() builds each sample on the host (a Float32Array with a
 *     random shift and noise: "augmentation"), collated into one upload per tensor;
 *  3. a training step of 784-16-16-10 and 784-512-512-10 MLPs (SGD);
 *  4. an epoch of (2) + step on the main thread, against the same with the host work done in a
 *     worker_threads pool of `numWorkers` workers that transfer each collated batch's buffer
 *     (what a worker-thread prefetch could do at best: a worker cannot run the dataset's own get(),
 *     which is a closure over main-thread objects, nor touch tensors, so the prototype re-implements
 *     the sample generator inside the worker).
 * Run: npx tsx bench/dataloader.ts   (from packages/backend-cpu)
 */
import { Worker } from 'node:worker_threads';

process.env.FLINT_NO_AUTOLOAD = '1';
const { data, fromArray, manualSeed, nn, optim, randint, randn, tidy, getBackend } = await import('@flint/core');
await import('../src/index.js');

const B = 64;
const D = 784;
const N = 60_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeEach(runs: number, fn: () => void): number {
  for (let i = 0; i < 5; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/**
 * The host-side sample of (2) and (4): a shifted ramp plus noise, deterministic per index. The
 * workers get its source text (sample.toString()).
 */
function sample(i: number, out: Float32Array, offset: number, d: number): void {
  let s = (i * 2654435761) >>> 0;
  const shift = s % 7;
  for (let k = 0; k < d; k++) {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 374761393) >>> 0;
    out[offset + k] = ((k + shift) % 28) / 28 + (s / 4294967296 - 0.5) * 0.1;
  }
}

class Synthetic extends data.Dataset<[Float32Array, number]> {
  readonly length = N;
  get(i: number): [Float32Array, number] {
    const x = new Float32Array(D);
    sample(i, x, 0, D);
    return [x, i % 10];
  }
}

manualSeed(0);
const X = randn([N, D]);
const Y = randint(0, 10, [N]);
const tensorLoader = new data.DataLoader(new data.TensorDataset(X, Y), {
  batchSize: B,
  shuffle: true,
  autoDispose: true,
});
/** Collates into one Float32Array and one Int32Array, uploaded once each (integer labels need this). */
const collate = (samples: [Float32Array, number][]) => {
  const x = new Float32Array(samples.length * D);
  const y = new Int32Array(samples.length);
  samples.forEach(([xi, yi], r) => {
    x.set(xi, r * D);
    y[r] = yi;
  });
  return [fromArray(x, [samples.length, D]), fromArray(y, [samples.length], { dtype: 'int32' })] as const;
};
const hostLoader = new data.DataLoader(new Synthetic(), {
  batchSize: B,
  shuffle: true,
  autoDispose: true,
  collateFn: collate,
});

function batchTime(loader: Iterable<unknown>, batches: number): number {
  let it = loader[Symbol.iterator]();
  return timeEach(batches, () => {
    let r = it.next();
    if (r.done) {
      it = loader[Symbol.iterator]();
      r = it.next();
    }
  });
}

function model(hidden: number) {
  return new nn.Sequential(
    new nn.Linear(D, hidden),
    new nn.ReLU(),
    new nn.Linear(hidden, hidden),
    new nn.ReLU(),
    new nn.Linear(hidden, 10),
  );
}

function stepper(hidden: number) {
  manualSeed(1);
  const m = model(hidden);
  const opt = new optim.SGD(m.parameters(), { lr: 0.01 });
  const lossFn = new nn.CrossEntropyLoss();
  return (x: InstanceType<typeof import('@flint/core').Tensor>, y: InstanceType<typeof import('@flint/core').Tensor>) =>
    tidy(() => {
      const loss = lossFn(m.forward(x), y);
      loss.backward();
      opt.step();
      opt.zeroGrad();
    });
}

const [bx, by] = [randn([B, D]), randint(0, 10, [B])];
console.log(`Node ${process.version}, backend ${getBackend().name}, batch ${B} x ${D}; medians`);
console.log(`batch from TensorDataset (gather):        ${(batchTime(tensorLoader, 200) * 1000).toFixed(0)} us`);
console.log(`batch from Dataset.get() + collateFn:     ${(batchTime(hostLoader, 200) * 1000).toFixed(0)} us`);
for (const hidden of [16, 512]) {
  const step = stepper(hidden);
  console.log(
    `training step 784-${hidden}-${hidden}-10:`.padEnd(42) +
      `${(timeEach(100, () => step(bx, by)) * 1000).toFixed(0)} us`,
  );
}

/** An epoch slice of `batches` batches: host batch (main thread) then step. */
function mainThreadRun(batches: number, hidden: number): number {
  const step = stepper(hidden);
  const t0 = performance.now();
  let b = 0;
  for (const [x, y] of hostLoader) {
    step(x, y);
    if (++b === batches) break;
  }
  return performance.now() - t0;
}

/** The same with the host batches made by workers and transferred; the main thread only uploads and steps. */
async function workerRun(batches: number, hidden: number, numWorkers: number): Promise<number> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    ${sample.toString()}
    parentPort.on('message', ({ id, indices }) => {
      const x = new Float32Array(indices.length * ${D});
      const y = new Int32Array(indices.length);
      indices.forEach((i, r) => { sample(i, x, r * ${D}, ${D}); y[r] = i % 10; });
      parentPort.postMessage({ id, x, y }, [x.buffer, y.buffer]);
    });`;
  const workers = Array.from({ length: numWorkers }, () => new Worker(code, { eval: true }));
  await Promise.all(workers.map((w) => new Promise((r) => w.once('online', r))));
  const step = stepper(hidden);
  const order = Array.from({ length: batches * B }, (_, i) => (i * 7919) % N);
  const pending = new Map<number, (v: { x: Float32Array; y: Int32Array }) => void>();
  for (const w of workers)
    w.on('message', (m: { id: number; x: Float32Array; y: Int32Array }) => pending.get(m.id)!(m));
  const request = (b: number) =>
    new Promise<{ x: Float32Array; y: Int32Array }>((resolve) => {
      pending.set(b, resolve);
      workers[b % numWorkers]!.postMessage({ id: b, indices: order.slice(b * B, (b + 1) * B) });
    });
  const t0 = performance.now();
  const inFlight: Promise<{ x: Float32Array; y: Int32Array }>[] = [];
  const prefetch = 2 * numWorkers;
  for (let b = 0; b < Math.min(prefetch, batches); b++) inFlight.push(request(b));
  for (let b = 0; b < batches; b++) {
    const { x, y } = await inFlight[b]!;
    if (b + prefetch < batches) inFlight.push(request(b + prefetch));
    const xt = fromArray(x, [B, D]);
    const yt = fromArray(y, [B], { dtype: 'int32' });
    step(xt, yt);
    xt.dispose();
    yt.dispose();
  }
  const ms = performance.now() - t0;
  await Promise.all(workers.map((w) => w.terminate()));
  return ms;
}

// Rounds alternate the three variants, so that a change in the machine's load hits all of them.
for (const [hidden, BATCHES, rounds] of [
  [16, 150, 5],
  [512, 30, 3],
] as const) {
  const times: [number[], number[], number[]] = [[], [], []];
  for (let r = 0; r < rounds; r++) {
    times[0].push(mainThreadRun(BATCHES, hidden));
    times[1].push(await workerRun(BATCHES, hidden, 1));
    times[2].push(await workerRun(BATCHES, hidden, 2));
  }
  const [main, one, two] = times.map(median) as [number, number, number];
  console.log(
    `${BATCHES} batches (get() + step) 784-${hidden}-${hidden}-10: main thread ${main.toFixed(0)} ms, 1 worker ${one.toFixed(0)} ms, 2 workers ${two.toFixed(0)} ms`,
  );
}
X.dispose();
Y.dispose();
