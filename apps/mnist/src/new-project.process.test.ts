/**
 * A script in a new project, as a new user writes it: its node_modules holds only the built
 * @flint/core and @flint/backend-cpu, and the script never names the backend (the root README:
 * "just install it: installed backends load themselves"). Run with plain Node and with tsx, whose
 * require hook compiles ES modules to CommonJS and so hands a require()d backend a second copy of
 * core: there the backends load with import(), and `await ready()` is the place to wait.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const APP = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(APP, '..', '..');
/** tsx's CLI itself: pnpm's .bin shim would add the workspace's packages to NODE_PATH. */
const TSX = join(APP, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let project: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'flint-new-project-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(project, 'node_modules', '@flint'), { recursive: true });
  for (const pkg of ['core', 'backend-cpu']) {
    symlinkSync(join(REPO, 'packages', pkg), join(project, 'node_modules', '@flint', pkg), 'dir');
  }
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function run(args: string[], file: string, source: string): { status: number | null; out: string; err: string } {
  writeFileSync(join(project, file), source);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FLINT_NO_AUTOLOAD; // vitest sets it for the test process
  delete env.FLINT_BACKEND;
  delete env.NODE_PATH;
  const r = spawnSync(process.execPath, [...args, file], { cwd: project, env, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const withReady = `import { ready, tensor } from '@flint/core';
const report = await ready();
const x = tensor([1, 2, 3]);
console.log(JSON.stringify({ loaded: report.loaded, device: x.device, sum: x.mul(x).sum().item() }));
`;

describe('a new project that installs @flint/backend-cpu and never imports it', () => {
  it('plain Node: the backend is loaded synchronously, so tensors work at once', () => {
    const r = run(
      [],
      'sync.mjs',
      "import { tensor } from '@flint/core';\nconsole.log(tensor([1, 2, 3]).device, tensor([3, 4]).norm().item());\n",
    );
    expect(r.status, r.err).toBe(0);
    expect(r.out.trim()).toBe('cpu 5');
  });

  it('tsx: after `await ready()` the installed backend is the default device', () => {
    const r = run([TSX], 'ready.ts', withReady);
    expect(r.status, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ loaded: ['@flint/backend-cpu'], device: 'cpu', sum: 14 });
  });

  it('tsx without `await ready()`: the error says the backend is still loading and to await ready()', () => {
    const r = run([TSX], 'no-ready.ts', "import { tensor } from '@flint/core';\nconsole.log(tensor([1]).device);\n");
    expect(r.status).not.toBe(0);
    expect(r.err).toContain(
      'The installed Flint backends (@flint/backend-cpu) are still loading (this program loads them asynchronously): `await ready()`',
    );
  });
});
