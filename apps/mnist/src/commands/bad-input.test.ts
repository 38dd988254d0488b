/**
 * What the CLI does with bad input: damaged and edited checkpoints and model files, flags that
 * contradict a checkpoint, unusable output directories, stale temporary files, blank images and
 * the wrong backend or data set for a saved model. Every case is an error (or a warning) naming
 * the file and the field; the README's bad-input table lists the same cases.
 */
import '@flint/backend-cpu';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromArray, load, loadMetadata, save, type Tensor } from '@flint/core';
import { runCli } from '../cli.js';
import { encodeGrayPng } from '../data/index.js';
import { contentDigest, prepareOutputDir } from '../persist.js';
import { captureIo } from '../test-io.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

let root: string;
let sgd: string; // a 1-epoch SGD (momentum 0.9) checkpoint of mlp-small on 320 samples
let adam: string; // the same with Adam
let modelFile: string;
const tiny = ['--limit', '320', '--test-limit', '100', '--seed', '3'];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flint-mnist-bad-'));
  expect((await cli('train', ...tiny, '--epochs', '1', '--out', join(root, 'sgd'))).code).toBe(0);
  expect((await cli('train', ...tiny, '--epochs', '1', '--optimizer', 'adam', '--out', join(root, 'adam'))).code).toBe(
    0,
  );
  sgd = join(root, 'sgd', 'checkpoint.safetensors');
  adam = join(root, 'adam', 'checkpoint.safetensors');
  modelFile = join(root, 'sgd', 'model.safetensors');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let copies = 0;
/**
 * A copy of `file` with metadata fields replaced (undefined deletes) and tensors changed, its
 * checksum recomputed (as if the changed state had been saved so) unless 'sha256' is given.
 */
async function edited(
  file: string,
  meta: Record<string, string | undefined>,
  tensors: (t: Record<string, Tensor>) => void = () => {},
): Promise<string> {
  const m: Record<string, string> = { ...loadMetadata(file) };
  for (const [k, v] of Object.entries(meta)) {
    if (v === undefined) delete m[k];
    else m[k] = v;
  }
  const t = load(file);
  tensors(t);
  if (m.sha256 !== undefined && !('sha256' in meta)) m.sha256 = await contentDigest(t, m);
  const path = join(root, `edited-${++copies}.safetensors`);
  await save(t, path, m);
  return path;
}

function withNaN(t: Tensor, at: number, value = Number.NaN): Tensor {
  const v = Float32Array.from(t.dataSync());
  v[at] = value;
  return fromArray(v, t.shape);
}

/** `train --resume file` must fail with `code`, print `message`, train nothing and write nothing. */
async function refused(file: string, message: string, code = 1, extra: string[] = []) {
  const out = join(root, `out-${++copies}`);
  const r = await cli('train', '--resume', file, '--epochs', '3', '--out', out, ...extra);
  expect(r.err).toContain(message);
  expect(r.code).toBe(code);
  expect(r.out).not.toContain('epoch 2/3');
  expect(existsSync(out)).toBe(false);
  return r;
}

describe('checkpoint metadata is checked, naming the file and the field', () => {
  it.each(['abc', '-1', '1.5', '', '01'])("epoch '%s' is refused", async (epoch) => {
    const f = await edited(sgd, { epoch });
    await refused(f, `checkpoint ${f}: metadata field 'epoch' must be a whole number of epochs done`);
  });

  it('an epoch count the history does not have is refused', async () => {
    const config = JSON.parse(loadMetadata(sgd).config!) as Record<string, unknown>;
    await refused(
      await edited(sgd, { epoch: '2', config: JSON.stringify({ ...config, epochs: 3 }) }),
      "metadata field 'history' has 1 epoch record(s), but field 'epoch' says 2",
    );
    const f = await edited(sgd, { epoch: '5' });
    await refused(f, "metadata field 'epoch' is 5, more than the 1 epochs in 'config.epochs'");
  });

  it('a field that is not JSON names the field and the parser message', async () => {
    const f = await edited(sgd, { config: '{bad' });
    await refused(f, `checkpoint ${f}: metadata field 'config' is not valid JSON (Expected property name`);
    await refused(await edited(sgd, { history: '[{' }), "metadata field 'history' is not valid JSON");
    await refused(await edited(sgd, { rng: 'null' }), "metadata field 'rng' must be a JSON object, got null");
  });

  it('a config value out of range names the config key', async () => {
    const config = JSON.parse(loadMetadata(sgd).config!) as Record<string, unknown>;
    const bad = (k: string, v: unknown) => edited(sgd, { config: JSON.stringify({ ...config, [k]: v }) });
    await refused(await bad('lr', -1), "metadata field 'config.lr' must be a positive number, got -1");
    await refused(
      await bad('batchSize', 0),
      "metadata field 'config.batchSize' must be an integer of at least 1, got 0",
    );
    await refused(
      await bad('optimizer', 'lbfgs'),
      "metadata field 'config.optimizer' must be one of sgd, adam, got 'lbfgs'",
    );
    await refused(
      await bad('model', 'lenet'),
      "metadata field 'config.model' is 'lenet', but field 'model' is 'mlp-small'",
    );
  });

  it('missing fields are named', async () => {
    await refused(await edited(sgd, { data: undefined }), "metadata field 'data' is missing");
    await refused(await edited(sgd, { optimizer: undefined }), "metadata field 'optimizer' is missing");
    await refused(await edited(sgd, { model: undefined }), "metadata field 'model' is missing");
  });

  it("an Adam state over an SGD run (and SGD's over Adam's) is refused", async () => {
    const adamConfig = JSON.parse(loadMetadata(adam).config!) as Record<string, unknown>;
    const asSgd = await edited(adam, { config: JSON.stringify({ ...adamConfig, optimizer: 'sgd' }) });
    await refused(asSgd, "metadata field 'optimizer.param_groups[0]' has the options amsgrad, betas, eps");
    const sgdConfig = JSON.parse(loadMetadata(sgd).config!) as Record<string, unknown>;
    const asAdam = await edited(sgd, { config: JSON.stringify({ ...sgdConfig, optimizer: 'adam' }) });
    await refused(asAdam, "the run's optimizer (adam, field 'config.optimizer')");
    // Adam's tensors slipped into an SGD checkpoint.
    const extra = await edited(sgd, {}, (t) => {
      t['optimizer.0.exp_avg'] = t['optimizer.0.momentum_buffer']!;
    });
    await refused(extra, "tensor 'optimizer.0.exp_avg' does not belong to this run's optimizer");
  });

  it('a missing or misshapen momentum buffer is refused, not silently re-created', async () => {
    const f = await edited(sgd, {}, (t) => {
      delete t['optimizer.3.momentum_buffer'];
    });
    await refused(
      f,
      `checkpoint ${f}: tensor 'optimizer.3.momentum_buffer' (state of parameter 'layers.2.bias') is missing`,
    );
    const g = await edited(sgd, {}, (t) => {
      t['optimizer.1.momentum_buffer'] = fromArray(new Float32Array(1), [1]);
    });
    await refused(
      g,
      "tensor 'optimizer.1.momentum_buffer' has shape [1], but its parameter 'layers.0.bias' has shape [16]",
    );
  });

  it("Adam's step count must match the epochs done", async () => {
    const o = JSON.parse(loadMetadata(adam).optimizer!) as { numeric: Record<string, { step: number }> };
    o.numeric['2']!.step = 3;
    await refused(
      await edited(adam, { optimizer: JSON.stringify(o) }),
      "metadata field 'optimizer.numeric.2.step' is 3, but 1 epoch(s) of 320 samples in batches of 64 are 5 steps",
    );
  });

  it('NaN or infinite weights and optimizer state are refused', async () => {
    const f = await edited(sgd, {}, (t) => {
      t['model.layers.0.weight'] = withNaN(t['model.layers.0.weight']!, 7);
    });
    await refused(
      f,
      `checkpoint ${f}: tensor 'model.layers.0.weight' holds 1 non-finite value(s) (NaN at flat index 7)`,
    );
    const g = await edited(sgd, {}, (t) => {
      t['optimizer.4.momentum_buffer'] = withNaN(t['optimizer.4.momentum_buffer']!, 0, Number.POSITIVE_INFINITY);
    });
    await refused(g, "tensor 'optimizer.4.momentum_buffer' holds 1 non-finite value(s) (Infinity at flat index 0)");
  });

  it('an edit that still parses and makes sense is caught by the checksum', async () => {
    const rng = JSON.parse(loadMetadata(sgd).rng!) as { default: number[]; shuffle: number[] };
    rng.shuffle[0] = (rng.shuffle[0]! + 1) % 2 ** 32;
    const sha256 = loadMetadata(sgd).sha256!;
    const f = await edited(sgd, { rng: JSON.stringify(rng), sha256 });
    await refused(f, `checkpoint ${f}: the contents do not match metadata field 'sha256'`);
    // With the checksum recomputed, an option the app never changes is still checked.
    const o = JSON.parse(loadMetadata(sgd).optimizer!) as { param_groups: Record<string, unknown>[] };
    o.param_groups[0]!.dampening = 1;
    await refused(
      await edited(sgd, { optimizer: JSON.stringify(o) }),
      "metadata field 'optimizer.param_groups[0].dampening' is 1, but this run's sgd has 0",
    );
  });

  it('a truncated or overwritten file is an error naming it, at every offset tried', async () => {
    const bytes = readFileSync(sgd);
    const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
    for (const cut of [0, 4, 8, 100, headerEnd - 1, headerEnd + 10, bytes.length - 1]) {
      const f = join(root, `cut-${cut}.safetensors`);
      writeFileSync(f, bytes.subarray(0, cut));
      await refused(f, `cannot read checkpoint ${f}:`);
    }
    // One byte changed in the tensor data: the numbers stay finite, the checksum catches it.
    for (const at of [headerEnd, headerEnd + 4000, bytes.length - 2]) {
      const f = join(root, `flipped-${at}.safetensors`);
      const changed = Buffer.from(bytes);
      changed[at] = changed[at]! ^ 0x01;
      writeFileSync(f, changed);
      await refused(f, `checkpoint ${f}: the contents do not match metadata field 'sha256'`);
    }
    await refused(await edited(sgd, { sha256: undefined }), "metadata field 'sha256' is missing");
    const junk = join(root, 'junk.safetensors');
    writeFileSync(junk, Buffer.concat([bytes.subarray(0, 8), Buffer.from('{"a":'), bytes.subarray(13)]));
    await refused(junk, `cannot read checkpoint ${junk}:`);
    await refused(join(root, 'sgd'), `checkpoint ${join(root, 'sgd')} is not a file`);
    await refused(modelFile, "is not a flint-mnist checkpoint (format 'flint-mnist-model') (a saved model");
  });
});

describe('--resume keeps the data and training flags of the run', () => {
  it("without --limit it trains on the checkpoint's 320 samples, not all 10,000", async () => {
    const out = join(root, 'resume-limit');
    const r = await cli('train', '--resume', sgd, '--epochs', '2', '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as { config: Record<string, unknown>; epochs: unknown[] };
    expect(result.config['training samples']).toBe(320);
    expect(result.config['test samples']).toBe(100);
    expect(result.config.seed).toBe(3);
    expect(result.epochs).toHaveLength(2);
    expect(r.err).toContain("the checkpoint's flags: --dataset mnist --limit 320 --test-limit 100 --batch-size 64");
    // The new checkpoint carries the flags on.
    expect(JSON.parse(loadMetadata(join(out, 'checkpoint.safetensors')).data!)).toMatchObject({
      dataset: 'mnist',
      limit: 320,
      testLimit: 100,
      trainSamples: 320,
    });
  });

  it('a conflicting data or training flag is refused, listing each; the same value is accepted', async () => {
    const r = await refused(sgd, '--dataset fashion-mnist (the checkpoint: mnist)', 2, [
      '--dataset',
      'fashion-mnist',
      '--limit',
      '640',
      '--lr',
      '0.1',
    ]);
    expect(r.err).toContain('--limit 640 (the checkpoint: 320)');
    expect(r.err).toContain('--lr 0.1 (the checkpoint: 0.5)');
    await refused(sgd, '--batch-size 32 (the checkpoint: 64)', 2, ['--batch-size', '32']);
    await refused(sgd, '--test-limit 50 (the checkpoint: 100)', 2, ['--test-limit', '50']);
    await refused(sgd, '--optimizer adam (the checkpoint: sgd)', 2, ['--optimizer', 'adam']);
    await refused(sgd, '--seed 4 (the checkpoint: 3)', 2, ['--seed', '4']);
    const same = await cli(
      'train',
      '--resume',
      sgd,
      '--epochs',
      '2',
      '--out',
      join(root, 'same'),
      ...tiny,
      '--lr',
      '0.5',
    );
    expect(same.code, same.err).toBe(0);
  });

  it("data that no longer matches the checkpoint's counts is refused", async () => {
    const data = JSON.parse(loadMetadata(sgd).data!) as Record<string, unknown>;
    const f = await edited(sgd, { data: JSON.stringify({ ...data, trainSamples: 300 }) });
    await refused(f, `checkpoint ${f} was trained with 300 training samples (--dataset mnist --limit 320`);
  });

  it('--epochs fewer than done is refused; equal trains nothing', async () => {
    const r = await cli('train', '--resume', sgd, '--epochs', '1', '--out', join(root, 'equal'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('all 1 epochs are done: nothing to train');
    const config = JSON.parse(loadMetadata(sgd).config!) as Record<string, unknown>;
    const twoDone = await edited(sgd, {
      epoch: '2',
      config: JSON.stringify({ ...config, epochs: 2 }),
      history: JSON.stringify([
        ...JSON.parse(loadMetadata(sgd).history!),
        { ...JSON.parse(loadMetadata(sgd).history!)[0], epoch: 2 },
      ]),
    });
    const fewer = await cli('train', '--resume', twoDone, '--epochs', '1', '--out', join(root, 'fewer'));
    expect(fewer.code).toBe(2);
    expect(fewer.err).toContain(`--epochs 1 is fewer than the 2 epochs ${twoDone} has already done`);
  });
});

describe('flags', () => {
  it('a --limit or --test-limit above the data size warns that all samples are used', async () => {
    const r = await cli('train', '--limit', '64', '--test-limit', '20000', '--epochs', '1', '--out', join(root, 'big'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('warning: --test-limit 20000 is more than the 10000 samples there are: all 10000 are used');
  });
});

describe('the output directory is checked before training', () => {
  it('--out naming a file says so', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const r = await cli('train', ...tiny, '--epochs', '1', '--out', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`the output directory ${file} (--out) is a file, not a directory`);
    expect(r.out).not.toContain('epoch 1/1');
  });

  it('an --out that cannot be created says so, before the first epoch', async () => {
    const file = join(root, 'another-file');
    writeFileSync(file, 'x');
    const r = await cli('train', ...tiny, '--epochs', '1', '--out', join(file, 'sub'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot create the output directory ${join(file, 'sub')} (--out): ENOTDIR`);
    expect(r.out).not.toContain('epoch 1/1');
  });

  it.runIf(process.platform === 'linux')(
    'an --out where mkdir fails though the parent exists (/proc) says so',
    async () => {
      const r = await cli('train', ...tiny, '--epochs', '1', '--out', '/proc/flint-out/run');
      expect(r.code).toBe(1);
      expect(r.err).toContain('cannot create the output directory /proc/flint-out/run (--out): ENOENT');
    },
  );

  // Root writes through permission bits; the README records the read-only mount tried as root.
  it.skipIf(process.getuid?.() === 0)('a read-only --out says so', async () => {
    const dir = join(root, 'read-only');
    mkdirSync(dir, { mode: 0o555 });
    const r = await cli('train', ...tiny, '--epochs', '1', '--out', dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`the output directory ${dir} (--out) is not writable: EACCES`);
  });

  it('too little free space says how much is needed', () => {
    const dir = join(root, 'small-disk');
    expect(() => prepareOutputDir(dir, 5 * 2 ** 20, () => ({ bavail: 256, bsize: 4096 }))).toThrow(
      `the output directory ${dir} (--out) has 1.0 MB free; this run writes about 5.0 MB`,
    );
    expect(() => prepareOutputDir(dir, 2 ** 20, () => ({ bavail: 256n, bsize: 4096n }))).not.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('temporary files of interrupted saves', () => {
  it('the next save removes those a killed process left (checkpoint, model, chart, report)', async () => {
    const out = join(root, 'stale');
    mkdirSync(out);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const names = ['checkpoint.safetensors', 'model.safetensors', 'chart.svg', 'report.html'].flatMap((f) => [
      `.${f}.${dead}.0123456789ab.tmp`,
      `.${f}.${dead}.ba9876543210.tmp`,
    ]);
    for (const n of names) writeFileSync(join(out, n), Buffer.alloc(1024));
    const r = await cli('train', ...tiny, '--epochs', '1', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'chart.svg',
      'checkpoint.safetensors',
      'model.safetensors',
      'report.html',
    ]);
  });
});

describe('saved models in eval and predict', () => {
  it('eval and predict reject --backend all', async () => {
    for (const argv of [
      ['eval', modelFile, '--backend', 'all'],
      ['predict', '--file', modelFile, '--backend', 'all', join(SAMPLES, 'digit-7-idx0.png')],
    ]) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain(
        `${argv[0]} runs on one backend (cpu, gpujs, tfjs, webgpu); --backend all is for parity and bench`,
      );
    }
  });

  it('a model trained on another data set than --dataset gives a warning; without --dataset the recorded one is used', async () => {
    const fashion = await edited(modelFile, { dataset: 'fashion-mnist' });
    const r = await cli('eval', fashion, '--dataset', 'mnist', '--test-limit', '50', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toContain(`warning: ${fashion} was trained on fashion-mnist, and you asked for mnist`);
    expect(JSON.parse(r.out)).toMatchObject({ dataset: 'mnist', trainedOn: 'fashion-mnist' });
    const d = await cli('eval', fashion, '--test-limit', '50', '--json');
    expect(d.code).toBe(0);
    expect(d.err).not.toContain('warning');
    expect(JSON.parse(d.out)).toMatchObject({ dataset: 'fashion-mnist', testSamples: 50 });
  });

  it('a model file with NaN weights, a bad dataset field or damage is an error naming the file', async () => {
    const nan = await edited(modelFile, {}, (t) => {
      t['layers.4.bias'] = withNaN(t['layers.4.bias']!, 2);
    });
    const r = await cli('eval', nan);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `model file ${nan}: tensor 'layers.4.bias' holds 1 non-finite value(s) (NaN at flat index 2)`,
    );
    const ds = await edited(modelFile, { dataset: 'cifar' });
    expect((await cli('eval', ds)).err).toContain(
      `model file ${ds}: metadata field 'dataset' must be one of mnist, fashion-mnist, got 'cifar'`,
    );
    expect((await cli('eval', sgd)).err).toContain("metadata field 'format' is 'flint-mnist-checkpoint'");
    const flipped = join(root, 'model-flipped.safetensors');
    const modelBytes = Buffer.from(readFileSync(modelFile));
    modelBytes[modelBytes.length - 5] = modelBytes[modelBytes.length - 5]! ^ 0x10;
    writeFileSync(flipped, modelBytes);
    expect((await cli('eval', flipped)).err).toContain(
      `model file ${flipped}: the contents do not match metadata field 'sha256'`,
    );
    expect((await cli('eval', await edited(modelFile, { sha256: undefined }))).err).toContain(
      "metadata field 'sha256' is missing",
    );
    const cut = join(root, 'model-cut.safetensors');
    writeFileSync(cut, readFileSync(modelFile).subarray(0, 1000));
    const c = await cli('predict', '--file', cut, join(SAMPLES, 'digit-7-idx0.png'));
    expect(c.code).toBe(1);
    expect(c.err).toContain(`cannot read model file ${cut}:`);
  });

  it('predict warns on a blank or low-contrast image instead of answering with confidence', async () => {
    const blank = join(root, 'blank.png');
    writeFileSync(blank, encodeGrayPng(new Float32Array(28 * 28).fill(0.8), 28, 28));
    const faint = join(root, 'faint.png');
    const seven = new Float32Array(28 * 28).fill(0.5);
    // A digit-shaped stroke only 8% brighter than the paper.
    for (let y = 6; y < 22; y++) for (let x = 12; x < 16; x++) seven[y * 28 + x] = 0.58;
    writeFileSync(faint, encodeGrayPng(seven, 28, 28));
    const r = await cli('predict', '--file', modelFile, '--json', blank, faint, join(SAMPLES, 'digit-7-idx0.png'));
    expect(r.code).toBe(0);
    const { predictions } = JSON.parse(r.out) as {
      predictions: { input: string; predicted: number | null; probabilities: number[] | null; warnings: string[] }[];
    };
    expect(predictions[0]).toMatchObject({ input: blank, predicted: null, probabilities: null });
    expect(predictions[0]!.warnings[0]).toContain('blank image');
    expect(predictions[1]!.predicted).not.toBeNull();
    expect(predictions[1]!.warnings[0]).toContain('low contrast: the ink differs from the background by only 7.8%');
    expect(predictions[2]!.warnings).toEqual([]);
    expect(r.err).toContain(`warning: ${blank}: blank image`);
    expect(r.err).toContain('blank.png: no prediction (blank image)');
  });
});
