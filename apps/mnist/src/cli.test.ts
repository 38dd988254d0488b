import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { captureIo } from './test-io.js';

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('argument parsing', () => {
  it('--help lists the commands and exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['train', 'eval', 'predict', 'parity', 'bench']) expect(r.out).toContain(c);
  });

  it('train --help lists every training flag', async () => {
    const r = await cli('train', '--help');
    expect(r.code).toBe(0);
    for (const f of [
      '--backend',
      '--dataset',
      '--data-dir',
      '--epochs',
      '--batch-size',
      '--lr',
      '--optimizer',
      '--momentum',
      '--seed',
      '--limit',
      '--out',
      '--resume',
      '--json',
    ]) {
      expect(r.out).toContain(f);
    }
    expect(r.out).toContain('mlp-small');
  });

  it('parity --help shows --steps and --tolerance', async () => {
    const r = await cli('parity', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('--steps');
    expect(r.out).toContain('--tolerance');
  });

  it('an unknown backend is exit code 2 with the valid ones listed', async () => {
    const r = await cli('train', '--backend', 'cuda');
    expect(r.code).toBe(2);
    expect(r.err).toContain("'cuda' is invalid");
    expect(r.err).toContain('cpu, gpujs, tfjs, webgpu, all');
  });

  it('an unknown model is exit code 2 with the valid ones listed (also as the default command)', async () => {
    const r = await cli('--model', 'resnet');
    expect(r.code).toBe(2);
    expect(r.err).toContain("'resnet' is invalid");
    expect(r.err).toContain('mlp-small, mlp, lenet');
  });

  it('bad numbers, unknown options and unknown optimizers are usage errors', async () => {
    expect((await cli('train', '--epochs', 'two')).code).toBe(2);
    expect((await cli('train', '--epochs', '0')).err).toContain('at least 1');
    expect((await cli('train', '--lr', '-1')).err).toContain('positive');
    expect((await cli('train', '--optimizer', 'lbfgs')).err).toContain('sgd, adam');
    expect((await cli('train', '--frobnicate')).code).toBe(2);
  });

  it('train on all backends is a usage error', async () => {
    const r = await cli('train', '--backend', 'all', '--limit', '64');
    expect(r.code).toBe(2);
    expect(r.err).toContain('parity');
  });

  it('a mistyped command is a usage error listing the commands', async () => {
    const r = await cli('trian', '--epochs', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "unknown command 'trian' (did you mean 'train'?); the commands are train, eval, predict, parity, bench",
    );
    const far = await cli('frobnicate');
    expect(far.code).toBe(2);
    expect(far.err).toContain("unknown command 'frobnicate'; the commands are train, eval, predict, parity, bench");
  });

  it('train --help states which flags a resumed run keeps', async () => {
    const r = await cli('train', '--help');
    const help = r.out.replace(/\s+/g, ' ');
    expect(help).toContain(
      "The run keeps the checkpoint's model, data flags (--dataset, --data-dir, --download, --limit, --test-limit) and training flags (--batch-size, --lr, --optimizer, --momentum, --seed)",
    );
    expect(help).toContain('a different value is an error');
  });

  it('bench --help says what --out writes', async () => {
    const r = await cli('bench', '--help');
    expect(r.out.replace(/\s+/g, ' ')).toContain(
      'also write the results as JSON to <dir>/pytorch.json (--full-epoch: bench.json, --accuracy: accuracy.json)',
    );
  });

  it('predict without inputs is a usage error', async () => {
    const r = await cli('predict');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--index');
  });
});
