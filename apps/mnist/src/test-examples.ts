/**
 * The ported PyTorch tutorials in examples/ (repository root), a few steps each, against the
 * same runs in PyTorch (examples/reference.py wrote examples/fixtures/reference.json with torch
 * 1.13, from the same initial weights and in the same batch order). examples.test.ts runs them on
 * cpu, examples.tfjs.test.ts on tfjs; the examples are imported after the device is chosen (the
 * polynomial's x and y are made when its module loads).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, memory } from '@flint/core';
import { FASHION_MNIST_DIR } from '../../../examples/common.js';
import type { PolynomialRun } from '../../../examples/polynomial.js';

interface Reference {
  quickstart: { trainLosses: number[]; tests: { loss: number; accuracy: number }[] };
  polynomial: Record<'autograd' | 'nn' | 'rmsprop' | 'module' | 'dynamic', PolynomialRun>;
  charRnn: Record<'lstm' | 'gru', { losses: number[]; gradNorms: number[]; lrs: number[] }>;
}

const reference = JSON.parse(
  readFileSync(new URL('../../../examples/fixtures/reference.json', import.meta.url), 'utf8'),
) as Reference;

/** Float32 on both sides, summed in different orders: 1e-5 relative is 100x what the runs differ by. */
function expectClose(actual: number[], expected: number[], rtol = 1e-5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    expect(Math.abs(a - e), `index ${i}: ${a} vs PyTorch's ${e}`).toBeLessThanOrEqual(rtol * Math.abs(e) + 1e-7);
  });
}

const quiet = (): void => {};

interface Examples {
  quickstart: typeof import('../../../examples/quickstart.js');
  polynomial: typeof import('../../../examples/polynomial.js');
  charRnn: typeof import('../../../examples/char-rnn.js');
}

/** The examples' tests on `device`, which `setup` registers and makes the default. */
export function describeExamples(device: string, setup: () => Promise<void>): void {
  let ex!: Examples;
  let dir: string | undefined;
  beforeAll(async () => {
    await setup();
    expect(getBackend().name).toBe(device);
    ex = {
      quickstart: await import('../../../examples/quickstart.js'),
      polynomial: await import('../../../examples/polynomial.js'),
      charRnn: await import('../../../examples/char-rnn.js'),
    };
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  describe.skipIf(!existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')))(
    `examples/quickstart.ts on ${device} (PyTorch Quickstart on Fashion-MNIST)`,
    () => {
      it("trains, tests, saves and reloads with PyTorch's losses and accuracies", async () => {
        dir = mkdtempSync(join(tmpdir(), 'flint-examples-'));
        const lines: string[] = [];
        const run = await ex.quickstart.quickstart({
          trainCount: 512,
          testCount: 256,
          epochs: 2,
          learningRate: 0.1,
          shuffle: false,
          fixedWeights: true,
          path: join(dir, 'model.safetensors'),
          log: (line) => lines.push(line),
        });
        expectClose(run.trainLosses, reference.quickstart.trainLosses);
        expectClose(
          run.tests.map((t) => t.loss),
          reference.quickstart.tests.map((t) => t.loss),
        );
        // one image in 256 may fall on the other side of an argmax tie
        run.tests.forEach((t, i) => {
          expect(Math.abs(t.accuracy - reference.quickstart.tests[i]!.accuracy)).toBeLessThanOrEqual(1 / 256);
        });
        // the model loaded from the file computes what the trained one did
        expect(run.reloaded).toEqual(run.tests[1]);
        expect(lines.slice(0, 2)).toEqual(['Shape of X [N, C, H, W]: [64, 1, 28, 28]', 'Shape of y: [64] int32']);
        expect(lines).toContain('Test Error: \n Accuracy: 37.1%, Avg loss: 1.686084 \n');
        expect(run.actual).toBe('Ankle boot');
      });
    },
  );

  describe(`examples/polynomial.ts on ${device} (Learning PyTorch with Examples: sin(x) by a cubic)`, () => {
    const start = [0.1, -0.2, 0.3, -0.05, 0.02];
    const cases: [keyof Reference['polynomial'], () => PolynomialRun][] = [
      ['autograd', () => ex.polynomial.polyAutograd(300, start, quiet)],
      ['nn', () => ex.polynomial.polyNn(300, false, start, quiet)],
      ['rmsprop', () => ex.polynomial.polyNn(300, true, start, quiet)],
      ['module', () => ex.polynomial.polyModule(300, false, start, quiet)],
      ['dynamic', () => ex.polynomial.polyModule(300, true, start, quiet)],
    ];
    for (const [name, run] of cases) {
      it(`${name}: PyTorch's losses and coefficients after 300 steps`, () => {
        const r = run();
        expectClose(r.losses, reference.polynomial[name].losses);
        expectClose(r.coefficients, reference.polynomial[name].coefficients, 1e-4);
      });
    }
  });

  describe(`examples/char-rnn.ts on ${device} (Embedding, 2-layer LSTM/GRU, clip_grad_norm_, StepLR)`, () => {
    for (const cell of ['lstm', 'gru'] as const) {
      it(`${cell}: PyTorch's losses, clipped norms and learning rates over 12 steps`, () => {
        const r = ex.charRnn.charRnn(cell, { steps: 12, fixedWeights: true, log: quiet });
        const ref = reference.charRnn[cell];
        expectClose(r.losses, ref.losses);
        expectClose(r.gradNorms, ref.gradNorms);
        expect(r.lrs).toEqual(ref.lrs);
        expect(r.text.startsWith('It was the b')).toBe(true);
        expect(r.text).toHaveLength(52);
      });
    }

    it('a step leaves no tensor behind: 3 and 9 steps leave the same number alive (model, data, Adam state)', () => {
      const alive = (steps: number): number => {
        const before = memory().handles;
        ex.charRnn.charRnn('lstm', { steps, log: quiet });
        return memory().handles - before;
      };
      expect(alive(9)).toBe(alive(3));
    });
  });
}
