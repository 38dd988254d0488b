/**
 * tfjs-backend-wasm's emscripten module installs `process.on('uncaughtException' |
 * 'unhandledRejection', e => { throw e })` when the wasm engine is instantiated. Left in place, any
 * uncaught error of a program that merely has this backend loaded exits with code 7 and prints the
 * bundle's minified source (~39 KB) before the real message. init() removes what it added; these
 * tests check it in this process and in child processes that fail the way user programs do.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTfjsBackend } from './index.js';
import { tf } from './tf.js';

const EVENTS: readonly string[] = ['uncaughtException', 'unhandledRejection'];
const emitter: NodeJS.EventEmitter = process;
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./test-uncaught-error.ts', import.meta.url));

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the fixture under tsx (the package's tsconfig maps @flint/* to the workspace sources). */
function runFixture(failure: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, failure], {
      cwd: packageDir,
      env: { ...process.env, FLINT_NO_AUTOLOAD: '1', FLINT_TFJS_ENGINE: 'wasm' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const shapeError = 'mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5): matmul of [2, 3] and [4, 5]';

describe('the wasm engine leaves the process listeners as it found them', () => {
  it('init() on wasm adds no uncaughtException / unhandledRejection listener and keeps existing ones', async () => {
    const mine = (): void => {};
    process.on('unhandledRejection', mine);
    try {
      const before = EVENTS.map((event) => emitter.listeners(event));
      await createTfjsBackend({ engine: 'wasm' }).init();
      expect(tf.getBackend()).toBe('wasm');
      expect(EVENTS.map((event) => emitter.listeners(event))).toEqual(before);
      expect(process.listeners('unhandledRejection')).toContain(mine);
    } finally {
      process.removeListener('unhandledRejection', mine);
    }
  });

  for (const [failure, what] of [
    ['throw', 'a shape error thrown at the top level of the program'],
    ['timer', 'a shape error thrown in a timer callback'],
    ['reject', 'an unhandled rejection with a shape error'],
  ] as const) {
    it(`${what} exits with code 1 and prints Flint's message, not tfjs's bundle`, async () => {
      const { code, stdout, stderr } = await runFixture(failure);
      expect(stdout).toContain('tfjs engine: wasm');
      expect(stderr).toContain(`Error: ${shapeError}`);
      expect(stderr).not.toMatch(/tfjs-backend-wasm|WasmBackendModule|emscripten/i);
      // Node's own report: the source line, the message and the stack, well under 39 KB of bundle.
      expect(stderr.length).toBeLessThan(4000);
      expect(code).toBe(1);
    });
  }
});
