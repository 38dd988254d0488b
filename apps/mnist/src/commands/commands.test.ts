/**
 * The commands end to end, in-process, on real data (embedded MNIST digits + the real test set):
 * tiny training runs, resume, the wrong-checkpoint error, predict on the committed sample PNGs,
 * eval, parity and bench.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackends, loadMetadata } from '@flint/core';
import { runCli } from '../cli.js';
import { captureIo } from '../test-io.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'flint-mnist-test-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const tiny = ['--limit', '320', '--test-limit', '200', '--seed', '1'];

describe('train', () => {
  it('a tiny run writes the report, chart, model and checkpoint and prints the tables', async () => {
    const out = join(root, 'tiny');
    const r = await cli('train', ...tiny, '--epochs', '2', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('epoch 2/2');
    expect(r.out).toContain('per-epoch results');
    expect(r.out).toContain('confusion matrix');
    expect(r.out).toMatch(/test accuracy: \d+\.\d\d% on 200 test images/);
    expect(r.out).toContain('engine: typed-arrays');
    expect(readdirSync(out).sort()).toEqual([
      'chart.svg',
      'checkpoint.safetensors',
      'model.safetensors',
      'report.html',
    ]);
    const svg = readFileSync(join(out, 'chart.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<polyline');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Confusion matrix');
    expect(html).toContain('typed-arrays');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(loadMetadata(join(out, 'model.safetensors'))).toMatchObject({
      format: 'flint-mnist-model',
      model: 'mlp-small',
    });
    expect(loadMetadata(join(out, 'checkpoint.safetensors'))).toMatchObject({
      format: 'flint-mnist-checkpoint',
      model: 'mlp-small',
      epoch: '2',
    });
  });

  it('the evaluation after each epoch shows its progress too', async () => {
    const r = await cli(
      'train',
      '--limit',
      '128',
      '--test-limit',
      '1000',
      '--epochs',
      '2',
      '--out',
      join(root, 'evalbar'),
    );
    expect(r.code, r.err).toBe(0);
    // Plain lines (not a TTY): the 1,000 test images in batches of 500, at 50% and 100%.
    expect(r.out).toMatch(/epoch 1\/2 test +50% \| 500\/1000 \| loss \d+\.\d{4} \| acc \d+\.\d%/);
    expect(r.out).toMatch(/epoch 2\/2 test 100% \| 1000\/1000/);
  });

  it('--json prints one JSON document on stdout and the progress on stderr', async () => {
    const out = join(root, 'json');
    const r = await cli('train', ...tiny, '--epochs', '1', '--out', out, '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as { model: string; engine: string; testAccuracy: number; epochs: unknown[] };
    expect(result.model).toBe('mlp-small');
    expect(result.engine).toBe('typed-arrays');
    expect(result.epochs).toHaveLength(1);
    expect(r.err).toContain('epoch 1/1');
  });

  it('--resume continues from the checkpoint exactly where a straight run would be', async () => {
    const straight = join(root, 'straight');
    const resumed = join(root, 'resumed');
    const a = await cli('train', ...tiny, '--epochs', '3', '--out', straight, '--json');
    expect(a.code).toBe(0);
    expect((await cli('train', ...tiny, '--epochs', '1', '--out', resumed)).code).toBe(0);
    const b = await cli('train', ...tiny, '--epochs', '3', '--out', resumed, '--resume', '--json');
    expect(b.code).toBe(0);
    expect(b.err).toContain('1 of 3 epoch(s) done');
    expect(b.err).not.toContain('epoch 1/3:');
    type R = { epochs: { trainLoss: number; testAccuracy: number }[] };
    const ra = JSON.parse(a.out) as R;
    const rb = JSON.parse(b.out) as R;
    expect(rb.epochs).toHaveLength(3);
    // Same weights, optimizer state and batch order: the same losses, bit for bit on cpu.
    expect(rb.epochs.map((e) => e.trainLoss)).toEqual(ra.epochs.map((e) => e.trainLoss));
    expect(rb.epochs.map((e) => e.testAccuracy)).toEqual(ra.epochs.map((e) => e.testAccuracy));
    expect(readFileSync(join(resumed, 'model.safetensors'))).toEqual(readFileSync(join(straight, 'model.safetensors')));
  });

  it('a checkpoint from another model is a clear error and writes nothing', async () => {
    const ckpt = join(root, 'tiny', 'checkpoint.safetensors');
    const before = readFileSync(ckpt);
    const mtime = statSync(ckpt).mtimeMs;
    const out = join(root, 'lenet-from-mlp');
    const r = await cli('train', '--model', 'lenet', '--resume', ckpt, '--out', out, ...tiny);
    expect(r.code).toBe(1);
    expect(r.err).toContain("is from model 'mlp-small', not 'lenet'");
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(ckpt)).toEqual(before);
    expect(statSync(ckpt).mtimeMs).toBe(mtime);
    expect(readdirSync(join(root, 'tiny')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('resuming from a file that is not a checkpoint is a clear error', async () => {
    const bogus = join(root, 'bogus.safetensors');
    writeFileSync(bogus, 'not a safetensors file');
    const r = await cli('train', '--resume', bogus, '--out', join(root, 'bogus-out'), ...tiny);
    expect(r.code).toBe(1);
    expect(r.err).toContain(bogus);
    expect(existsSync(join(root, 'bogus-out'))).toBe(false);
  });
});

describe('predict and eval', () => {
  const out = () => join(root, 'predict');
  beforeAll(async () => {
    // Four epochs over the 10,000 embedded digits: ~86% test accuracy with this seed.
    const r = await cli('train', '--epochs', '4', '--test-limit', '500', '--seed', '0', '--out', out());
    expect(r.code).toBe(0);
  });

  it('classifies every committed sample PNG (test-set digits not in the training data) correctly', async () => {
    const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.png'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const r = await cli(
      'predict',
      '--file',
      join(out(), 'model.safetensors'),
      '--json',
      ...files.map((f) => join(SAMPLES, f)),
    );
    expect(r.code).toBe(0);
    const { predictions } = JSON.parse(r.out) as {
      predictions: { input: string; predicted: number; probabilities: number[] }[];
    };
    for (const p of predictions) {
      const label = Number(/digit-(\d)-/.exec(p.input)![1]);
      expect(p.predicted, p.input).toBe(label);
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it('--index classifies test-set samples and prints the probabilities', async () => {
    const r = await cli('predict', '--out', out(), '--index', '0', '--index', '1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('test[0]: 7 (label 7, correct)');
    expect(r.out).toMatch(/ 7 +\d+\.\d\d% #+/);
  });

  it('a file that is not a PNG is a clear error naming it', async () => {
    const bad = join(root, 'not-an-image.png');
    writeFileSync(bad, 'hello');
    const r = await cli('predict', '--out', out(), bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain('not-an-image.png');
  });

  it('eval reports the test accuracy and the confusion matrix of a saved model', async () => {
    const r = await cli('eval', join(out(), 'model.safetensors'), '--test-limit', '500', '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as { model: string; testAccuracy: number; confusion: number[][] };
    expect(result.model).toBe('mlp-small');
    expect(result.testAccuracy).toBeGreaterThan(0.8);
    expect(result.confusion.flat().reduce((a, b) => a + b, 0)).toBe(500);
  });

  it('eval of a missing model file says so', async () => {
    const r = await cli('eval', join(root, 'nope.safetensors'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('nope.safetensors does not exist');
  });
});

describe('parity', () => {
  it('cpu against a second cpu run: zero deviation, exit 0', async () => {
    const r = await cli('parity', '--backend', 'cpu', '--steps', '4', '--test-limit', '100');
    expect(r.code).toBe(0);
    expect(r.out).toContain('parity OK');
    expect(r.out).toMatch(/cpu +typed-arrays +0\.00e\+0 +0\.00e\+0/);
  });

  it('every installed backend stays within 1e-4 of cpu (lenet, 3 steps)', async () => {
    const r = await cli(
      'parity',
      '--backend',
      'all',
      '--model',
      'lenet',
      '--steps',
      '3',
      '--test-limit',
      '100',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as {
      ok: boolean;
      runs: { backend: string; engine: string; maxRelDeviation: number; losses: number[] }[];
    };
    expect(result.ok).toBe(true);
    expect(result.runs.map((x) => x.backend)).toEqual([
      'cpu',
      ...listBackends()
        .filter((b) => b !== 'cpu')
        .sort(),
    ]);
    for (const run of result.runs) {
      expect(run.engine).not.toBe('');
      expect(run.losses).toHaveLength(3);
      expect(run.maxRelDeviation).toBeLessThanOrEqual(1e-4);
    }
    expect(r.err).toMatch(/max rel dloss/);
  });

  it('exits non-zero when a deviation exceeds --tolerance', async () => {
    const others = listBackends().filter((b) => b !== 'cpu');
    // With tolerance 0 any rounding difference fails; cpu against itself never does.
    const r = await cli('parity', '--backend', 'all', '--steps', '3', '--test-limit', '100', '--tolerance', '0');
    if (others.length === 0) expect(r.code).toBe(0);
    else {
      expect(r.code).toBe(1);
      expect(r.out).toContain('parity FAILED');
    }
  });
});

describe('bench', () => {
  it('--full-epoch: one epoch per model per backend with samples/s and peak memory as JSON', async () => {
    const r = await cli(
      'bench',
      '--full-epoch',
      '--backend',
      'cpu',
      '--model',
      'mlp-small',
      '--model',
      'lenet',
      '--limit',
      '256',
      '--test-limit',
      '100',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as {
      dataset: string;
      rows: { model: string; implementation: string; samplesPerSecond: number; peakDeviceMB: number }[];
    };
    expect(result.dataset).toBe('fashion-mnist');
    expect(result.rows.map((x) => x.model)).toEqual(['mlp-small', 'lenet']);
    for (const row of result.rows) {
      expect(row.samplesPerSecond).toBeGreaterThan(0);
      expect(row.peakDeviceMB).toBeGreaterThan(0);
    }
  });

  it('--full-epoch --out writes the results to bench.json (the same document as --json)', async () => {
    const out = join(root, 'bench-out');
    const r = await cli(
      'bench',
      '--full-epoch',
      '--backend',
      'cpu',
      '--model',
      'mlp-small',
      '--limit',
      '128',
      '--test-limit',
      '50',
      '--out',
      out,
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`wrote ${join(out, 'bench.json')}`);
    const saved = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as {
      trainSamples: number;
      rows: { model: string; backend: string; samples: number; testAccuracy: number }[];
    };
    expect(saved.trainSamples).toBe(128);
    expect(saved.rows).toHaveLength(1);
    expect(saved.rows[0]).toMatchObject({ model: 'mlp-small', backend: 'cpu', samples: 128 });
    expect(saved.rows[0]!.testAccuracy).toBeGreaterThanOrEqual(0);
  });

  it('--full-epoch: next to the same MLP in tfjs-layers on the same tfjs engine', async () => {
    const r = await cli(
      'bench',
      '--full-epoch',
      '--backend',
      'tfjs',
      '--model',
      'mlp-small',
      '--limit',
      '256',
      '--test-limit',
      '100',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as {
      rows: { implementation: string; engine: string; samplesPerSecond: number }[];
    };
    const [flint, reference] = result.rows;
    expect(flint!.implementation).toBe('flint');
    expect(reference!.implementation).toBe('tfjs-layers');
    expect(reference!.engine).toBe(flint!.engine);
    expect(reference!.samplesPerSecond).toBeGreaterThan(0);
  });

  it('--accuracy trains each model --runs times and judges the mean against the requirement', async () => {
    const r = await cli(
      'bench',
      '--accuracy',
      '--model',
      'mlp-small',
      '--epochs',
      '1',
      '--runs',
      '2',
      '--limit',
      '640',
      '--test-limit',
      '200',
      '--json',
    );
    // One epoch on 640 digits cannot reach 90%: the benchmark must say so with exit code 1.
    expect(r.code).toBe(1);
    const result = JSON.parse(r.out) as {
      rows: { model: string; runs: { seed: number }[]; meanAccuracy: number; required: number; passed: boolean }[];
    };
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]!.runs.map((x) => x.seed)).toEqual([0, 1]);
    expect(result.rows[0]!.required).toBe(0.9);
    expect(result.rows[0]!.passed).toBe(false);
    expect(r.err).toContain('FAIL');
  });
});
