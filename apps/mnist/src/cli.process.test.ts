/**
 * The CLI as a user runs it, in child processes on the built packages: `pnpm mnist` typed in a
 * subdirectory, --json through pnpm, Ctrl-C and kill -9 during training.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const APP = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(APP, '..', '..');

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'flint-mnist-process-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * The app's src/main.ts with @flint/* from the built packages (tsconfig.build.json), in one
 * process as the root script runs it (the tsx CLI would add a parent that relays signals).
 */
function mnist(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: APP,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.build.json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finished(
  child: ReturnType<typeof spawn>,
  onStdout: (text: string) => void = () => {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    onStdout(out);
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
}

const small = ['--limit', '640', '--test-limit', '100', '--seed', '5'];

describe('pnpm mnist from a subdirectory', () => {
  let model: string;
  beforeAll(async () => {
    const out = join(root, 'model');
    const r = await finished(mnist(['train', ...small, '--epochs', '1', '--out', out]));
    expect(r.code, r.err).toBe(0);
    model = join(out, 'model.safetensors');
  });

  it('resolves paths against the directory it was typed in, and -s --json prints only JSON', () => {
    // scripts/ has no package.json, so pnpm runs the root's "mnist" script there.
    const cwd = join(REPO, 'scripts');
    const png = relative(cwd, join(APP, 'samples', 'digit-7-idx0.png'));
    const r = spawnSync('pnpm', ['-s', 'mnist', 'predict', png, '--file', relative(cwd, model), '--json'], {
      cwd,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { file: string; predictions: { input: string; probabilities: number[] }[] };
    expect(result.file).toBe(relative(cwd, model));
    expect(result.predictions[0]!.input).toBe(png);
    expect(result.predictions[0]!.probabilities).toHaveLength(10);
  });

  it('inside apps/mnist (its own script) too', () => {
    const cwd = join(APP, 'samples');
    const r = spawnSync(
      'pnpm',
      ['-s', 'mnist', 'predict', 'digit-4-idx4.png', '--file', relative(cwd, model), '--json'],
      {
        cwd,
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { predictions: { input: string }[] }).predictions[0]!.input).toBe(
      'digit-4-idx4.png',
    );
  });
});

describe('a backend that is not used prints nothing', () => {
  // Importing core loads every installed backend; the WebGPU one must not request an adapter
  // (Dawn's Vulkan/GL start-up writes "error: XDG_RUNTIME_DIR is invalid ..." to stderr) until used.
  it('--help and train --backend cpu have an empty stderr', async () => {
    // As a user runs it: with core's autoload on (the test environment turns it off).
    const asUser = (args: string[]) => {
      const { FLINT_NO_AUTOLOAD: _off, ...env } = process.env;
      return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
        cwd: APP,
        env: { ...env, TSX_TSCONFIG_PATH: 'tsconfig.build.json' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    };
    const help = await finished(asUser(['--help']));
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: mnist');
    expect(help.err).toBe('');
    const out = join(root, 'quiet');
    const train = await finished(asUser(['train', '--backend', 'cpu', ...small, '--epochs', '1', '--out', out]));
    expect(train.code, train.err).toBe(0);
    expect(train.err).toBe('');
  });
});

describe('interrupted training', () => {
  it('Ctrl-C stops after the step, says how to resume, and that command continues the run', async () => {
    const out = join(root, 'ctrl-c');
    const child = mnist(['train', ...small, '--epochs', '50', '--out', out]);
    let sent = false;
    const r = await finished(child, (text) => {
      if (!sent && /epoch 2\/50: train loss/.test(text)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(r.code, r.err).toBe(130);
    const m =
      /interrupted \(Ctrl-C\): (\S+) holds (\d+) of 50 epochs; continue with: pnpm mnist train --resume (\S+) --out (\S+)\n/.exec(
        r.err,
      );
    expect(m, r.err).not.toBeNull();
    const [, held, done, resumePath, outFlag] = m!;
    expect(held).toBe(join(out, 'checkpoint.safetensors'));
    expect(resumePath).toBe(held);
    expect(outFlag).toBe(out);
    expect(Number(done)).toBeGreaterThanOrEqual(2);
    // The printed command (with --epochs to keep the test short) picks up where it stopped.
    const next = Number(done) + 1;
    const resumed = await finished(
      mnist(['train', '--resume', resumePath!, '--out', outFlag!, '--epochs', String(next)]),
    );
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toContain(`resuming from ${resumePath}: ${done} of ${next} epoch(s) done`);
    expect(resumed.out).toContain(`epoch ${next}/${next}: train loss`);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('after kill -9 the checkpoint resumes to the same weights as an uninterrupted run', async () => {
    const killed = join(root, 'killed');
    const child = mnist(['train', ...small, '--epochs', '6', '--out', killed]);
    let sent = false;
    const r = await finished(child, (text) => {
      if (!sent && /epoch 2\/6: train loss/.test(text)) {
        sent = true;
        child.kill('SIGKILL');
      }
    });
    expect(r.signal).toBe('SIGKILL');
    const resumed = await finished(mnist(['train', '--resume', '--out', killed]));
    expect(resumed.code, resumed.err).toBe(0);
    // Killed after epoch 2's line: its checkpoint may or may not have been written yet.
    expect(resumed.out).toMatch(/resuming from \S+: [1-5] of 6 epoch\(s\) done/);
    const straight = join(root, 'straight');
    expect((await finished(mnist(['train', ...small, '--epochs', '6', '--out', straight]))).code).toBe(0);
    expect(readFileSync(join(killed, 'model.safetensors'))).toEqual(readFileSync(join(straight, 'model.safetensors')));
    expect(readdirSync(killed).sort()).toEqual([
      'chart.svg',
      'checkpoint.safetensors',
      'model.safetensors',
      'report.html',
    ]);
  });
});
