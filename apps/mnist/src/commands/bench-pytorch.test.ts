/**
 * `mnist bench` (Flint vs PyTorch): the PyTorch worker's protocol with the real worker — from
 * Flint's initial weights on the same batches both sides reach the same losses and logits, which
 * proves they do the same work — the memory check on a clean and a leaking step, the run without
 * PyTorch, and the flags. No timing is asserted.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Tensor, randn } from '@flint/core';
import '@flint/backend-cpu';
import { runCli } from '../cli.js';
import { captureIo } from '../test-io.js';
import { FlintSide, memoryRun, syntheticSet, workerData } from './bench-pytorch.js';
import { DEFAULT_PYTHON, TorchWorker } from './torch-worker.js';

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const probe = spawnSync(DEFAULT_PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const hasTorch = probe.status === 0;
const noTorchReason = hasTorch
  ? ''
  : `${DEFAULT_PYTHON} cannot import torch and numpy (${(probe.error?.message ?? probe.stderr).trim().split('\n').at(-1)})`;
if (!hasTorch) console.warn(`skipping the PyTorch worker tests: ${noTorchReason}`);

const settings = { lr: 0.05, momentum: 0.9, optimizer: 'sgd' as const, seed: 3 };
const POOL = 256;
const BATCH = 64;
const set = syntheticSet(POOL, 7);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'flint-bench-test-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasTorch)('the PyTorch worker (real torch)', () => {
  let worker: TorchWorker;
  let cleanup: () => void = () => {};
  beforeAll(async () => {
    const started = await TorchWorker.start();
    if (typeof started === 'string') throw new Error(started);
    worker = started.worker;
    expect(started.ready.threads).toBe(1);
    const data = workerData({ dataset: 'mnist' }, set, POOL, true);
    cleanup = data.cleanup;
    expect(await worker.load(data.images, data.labels, POOL)).toBe(POOL);
  });
  afterAll(() => {
    worker?.close();
    cleanup();
  });

  for (const model of ['mlp-small', 'mlp', 'lenet']) {
    it(`${model}: from Flint's weights, the same batches give the same losses and logits (1e-4)`, async () => {
      const flint = new FlintSide(model, settings, set, POOL, BATCH);
      try {
        const shapes = await worker.build({ model, ...settings, batch: BATCH, weights: flint.weights() });
        expect(shapes).toEqual(flint.model.parameters().map((p) => p.shape));
        // Starting at batch 2 and wrapping around the 4-batch pool: the batch arithmetic agrees too.
        const steps = 6;
        const f = flint.train(steps, 2, true);
        const p = await worker.train(steps, 2, true);
        expect(p.losses).toHaveLength(steps);
        expect(f.losses).toHaveLength(steps);
        for (let k = 0; k < steps; k++) expect(Math.abs(f.losses![k]! - p.losses![k]!)).toBeLessThan(1e-4);
        expect(p.loss).toBe(p.losses![steps - 1]);
        // The losses move: the steps really train (a frozen model would match trivially).
        expect(Math.abs(f.losses![0]! - f.losses![steps - 1]!)).toBeGreaterThan(1e-3);
        const fi = flint.infer(3, 5);
        const pi = await worker.infer(3, 5);
        expect(fi.logits).toHaveLength(10);
        for (let c = 0; c < 10; c++) expect(Math.abs(fi.logits[c]! - pi.logits[c]!)).toBeLessThan(1e-4);
        expect(p.seconds).toBeGreaterThan(0);
        expect(pi.seconds).toBeGreaterThan(0);
      } finally {
        flint.dispose();
      }
    });
  }

  it('bad commands get an error answer naming what was wrong, and the worker keeps serving', async () => {
    await expect(worker.request({ cmd: 'frobnicate' })).rejects.toThrow(
      "the PyTorch worker: unknown command 'frobnicate'; the commands are load, build, train, infer, quit",
    );
    await expect(worker.request({ cmd: 'build', model: 'resnet', lr: 1, momentum: 0, batch: 64 })).rejects.toThrow(
      "unknown model 'resnet'",
    );
    const flint = new FlintSide('mlp-small', settings, set, POOL, BATCH);
    const weights = flint.weights();
    flint.dispose();
    // A valid model first, so the checks below do not depend on the tests before this one.
    await worker.build({ model: 'mlp-small', ...settings, batch: BATCH, weights });
    weights[0] = { ...weights[0]!, shape: [784, 16] };
    await expect(worker.build({ model: 'mlp-small', ...settings, batch: BATCH, weights })).rejects.toThrow(
      'mlp-small parameter 0: shape [16, 784], the weights sent are [784, 16]',
    );
    await expect(worker.request({ cmd: 'train', steps: 1 })).rejects.toThrow("missing field 'start'");
    await expect(worker.request({ cmd: 'infer', calls: 'many', index: 0 })).rejects.toThrow(
      "ValueError: invalid literal for int() with base 10: 'many'",
    );
    expect((await worker.train(0, 0)).loss).toBeNull();
    await expect(worker.load(join(root, 'missing.gz'), join(root, 'missing.gz'), 10)).rejects.toThrow(
      'FileNotFoundError: [Errno 2] No such file or directory',
    );
    expect(
      await worker.load(workerData({ dataset: 'mnist' }, set, POOL, true).images, '/dev/null', 1).catch(String),
    ).toContain('not an IDX file');
  });

  it('bench end to end with PyTorch: every round has both sides, the ratios and the losses agree', async () => {
    const r = await cli(
      'bench',
      '--model',
      'mlp-small',
      '--rounds',
      '3',
      '--steps',
      '4',
      '--warmup',
      '2',
      '--infer-calls',
      '3',
      '--memory-steps',
      '20',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as {
      pytorch: { torch: string; threads: number };
      pytorchSkipped: null;
      rounds: number;
      models: {
        model: string;
        training: {
          rounds: { flint: number; pytorch: number; ratio: number }[];
          ratio: { median: number; min: number; max: number };
          flintLoss: number;
          pytorchLoss: number;
          met: boolean;
        };
        inference: { rounds: unknown[]; ratio: { median: number } };
        memory: { steps: number; from: { step: number }; to: { step: number }; growing: string[] };
      }[];
    };
    expect(result.pytorch.threads).toBe(1);
    expect(result.pytorchSkipped).toBeNull();
    const [m] = result.models;
    expect(m!.model).toBe('mlp-small');
    expect(m!.training.rounds).toHaveLength(3);
    for (const round of m!.training.rounds) expect(round.ratio).toBeCloseTo(round.flint / round.pytorch, 10);
    const ratios = m!.training.rounds.map((x) => x.ratio).sort((a, b) => a - b);
    expect(m!.training.ratio).toEqual({ median: ratios[1], min: ratios[0], max: ratios[2] });
    expect(m!.training.met).toBe(m!.training.ratio.median >= 0.5);
    // 2 warm-up steps and 3 rounds of 4 on the same batches from the same weights.
    expect(Math.abs(m!.training.flintLoss - m!.training.pytorchLoss)).toBeLessThan(1e-3);
    expect(m!.inference.rounds).toHaveLength(3);
    expect(m!.memory).toMatchObject({ steps: 20, from: { step: 2 }, to: { step: 20 } });
    expect(m!.memory.growing).not.toContain('live');
    expect(r.err).toContain('training samples/s');
    expect(r.err).toContain('≥ 0.5×');
  });
});

describe.skipIf(!hasTorch)('bench on synthetic data (no Fashion-MNIST installed)', () => {
  it('both sides train on the same seeded synthetic batches, written for the worker as IDX files', async () => {
    const saved = process.env.FLINT_FASHION_MNIST_DIR;
    process.env.FLINT_FASHION_MNIST_DIR = join(root, 'no-fashion-mnist-here');
    try {
      const r = await cli(
        'bench',
        '--model',
        'lenet',
        '--rounds',
        '1',
        '--steps',
        '3',
        '--warmup',
        '0',
        '--infer-calls',
        '2',
        '--memory-steps',
        '0',
        '--json',
      );
      expect(r.code, r.err).toBe(0);
      const result = JSON.parse(r.out) as {
        data: string;
        samplePool: number;
        models: { training: { flintLoss: number; pytorchLoss: number }; memory: null }[];
      };
      expect(result.data).toContain('synthetic: 4,096 seeded random images and labels');
      expect(result.data).toContain('no-fashion-mnist-here not found');
      expect(result.samplePool).toBe(4096);
      const t = result.models[0]!.training;
      expect(Math.abs(t.flintLoss - t.pytorchLoss)).toBeLessThan(1e-4);
      expect(result.models[0]!.memory).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.FLINT_FASHION_MNIST_DIR;
      else process.env.FLINT_FASHION_MNIST_DIR = saved;
    }
  });
});

describe('the memory check', () => {
  it('a clean step keeps live memory exactly flat', () => {
    const side = new FlintSide('mlp-small', settings, set, POOL, BATCH);
    try {
      const m = memoryRun(side, 40);
      expect(m.from.step).toBe(4);
      expect(m.to.step).toBe(40);
      expect(m.to.coreBytes).toBe(m.from.coreBytes);
      expect(m.to.handles).toBe(m.from.handles);
      expect(m.coreBytesPerStep).toBe(0);
      expect(m.forcedGc).toBe(true);
      expect(m.growing).not.toContain('live');
    } finally {
      side.dispose();
    }
  });

  it('a step that leaks one tensor per step is caught, with the leaked bytes per step as the slope', () => {
    const side = new FlintSide('mlp-small', settings, set, POOL, BATCH);
    const leaked: Tensor[] = [];
    const step = side.step.bind(side);
    side.step = (k, keep) => {
      leaked.push(randn([16, 16])); // 1 KB kept alive outside tidy
      return step(k, keep);
    };
    try {
      const m = memoryRun(side, 40);
      expect(m.growing).toContain('live');
      expect(m.verdict).toBe('growing');
      expect(m.coreBytesPerStep).toBeCloseTo(16 * 16 * 4, 6);
      expect(m.to.coreBytes - m.from.coreBytes).toBe(36 * 1024);
    } finally {
      for (const t of leaked) t.dispose();
      side.dispose();
    }
  });
  it('JS objects kept alive per step are caught in the heap after a forced GC', () => {
    const side = new FlintSide('mlp-small', settings, set, POOL, BATCH);
    const kept: number[][] = [];
    const step = side.step.bind(side);
    side.step = (k, keep) => {
      kept.push(Array.from({ length: 2048 }, (_, i) => i + k + 0.5)); // ~16 KB of heap numbers per step
      return step(k, keep);
    };
    try {
      const m = memoryRun(side, 40);
      expect(m.forcedGc).toBe(true);
      expect(m.growing).toContain('heap');
      expect(m.growing).not.toContain('live');
      // 16 KB kept per step; concurrent sweeping makes heapUsed after a GC noisy by a few KB a step.
      expect(m.heapBytesPerStep).toBeGreaterThan(8 * 1024);
    } finally {
      side.dispose();
    }
  });
});

describe('bench without PyTorch', () => {
  const quick = [
    '--model',
    'mlp-small',
    '--rounds',
    '1',
    '--steps',
    '2',
    '--warmup',
    '1',
    '--infer-calls',
    '2',
    '--memory-steps',
    '10',
  ];

  it('an interpreter that does not exist: one line says so and Flint still reports', async () => {
    const missing = join(root, 'no-such-python3');
    const r = await cli('bench', ...quick, '--python', missing, '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`PyTorch skipped: ${missing} not found; Flint's figures only`);
    const result = JSON.parse(r.out) as {
      pytorch: null;
      pytorchSkipped: string;
      models: { training: { flintSamplesPerSecond: number; ratio: null; met: null } }[];
    };
    expect(result.pytorch).toBeNull();
    expect(result.pytorchSkipped).toBe(`${missing} not found`);
    expect(result.models[0]!.training.flintSamplesPerSecond).toBeGreaterThan(0);
    expect(result.models[0]!.training).toMatchObject({ ratio: null, met: null });
    expect(r.err).toContain('(no PyTorch figures: ratios and targets need PyTorch)');
  });

  it('an interpreter without torch: named, with the package that provides it', async () => {
    const fake = join(root, 'python-without-torch');
    writeFileSync(
      fake,
      `#!/bin/sh\necho 'Traceback (most recent call last):' >&2\necho "ModuleNotFoundError: No module named 'torch'" >&2\nexit 1\n`,
    );
    chmodSync(fake, 0o755);
    const r = await cli('bench', ...quick, '--python', fake);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(
      `PyTorch skipped: ${fake} has no torch module (Debian: apt-get install -y python3-torch); Flint's figures only`,
    );
    expect(r.out).toContain('training samples/s');
    expect(r.out).toMatch(/mlp-small\s+2\s+[\d,]+\s+-\s+-\s+≥ 0.5×\s+-/);
  });

  it('--no-pytorch and --out write pytorch.json', async () => {
    const out = join(root, 'bench-pytorch-out');
    const r = await cli('bench', ...quick, '--no-pytorch', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("PyTorch skipped: --no-pytorch; Flint's figures only");
    expect(r.out).toContain(`wrote ${join(out, 'pytorch.json')}`);
  });
});

describe('bench flags', () => {
  it('the full-epoch flags are usage errors in the comparison, and the other way round', async () => {
    const epochs = await cli('bench', '--epochs', '1', '--no-pytorch');
    expect(epochs.code).toBe(2);
    expect(epochs.err).toContain(
      'error: --epochs belong to bench --full-epoch or --accuracy; the comparison with PyTorch runs --rounds rounds of --steps steps',
    );
    const backend = await cli('bench', '--backend', 'tfjs');
    expect(backend.code).toBe(2);
    expect(backend.err).toContain('for --backend tfjs use bench --full-epoch --backend tfjs');
    const rounds = await cli('bench', '--full-epoch', '--rounds', '3', '--steps', '5');
    expect(rounds.code).toBe(2);
    expect(rounds.err).toContain(
      '--rounds, --steps belong to the comparison with PyTorch (bench without --full-epoch)',
    );
    const both = await cli('bench', '--full-epoch', '--accuracy');
    expect(both.code).toBe(2);
    expect(both.err).toContain('bench --accuracy and --full-epoch are two different benchmarks');
    const zero = await cli('bench', '--rounds', '0');
    expect(zero.code).toBe(2);
    expect(zero.err).toContain('--rounds must be at least 1, got 0.');
  });
});
