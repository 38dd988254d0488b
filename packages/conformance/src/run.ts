/**
 * `runConformance`: registers the whole conformance suite (vitest describe/it blocks) for one
 * backend. Call it at the top level of a backend's test file.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '@flint/core/backend';
import { openBackend, type BackendFactory } from './backend-factory.js';
import type { Tolerance } from './compare.js';
import { describeStorageModel, setStorageModel, type StorageModel } from './reference/storage-model.js';
import { runKernelCase, toleranceFor, type ToleranceTable } from './harness.js';
import { broadcastPair, BINARY_PROPERTY_OPS, binaryInputs, matmulShapes } from './kernels/properties.js';
import { buildKernelCases, OPTIONAL_KERNELS, type KernelName } from './kernels/table.js';
import { kc } from './kernels/types.js';
import { broadcastShape, mapBinary, matmulRef, randn, Rng } from './reference/index.js';
import { loadAutogradFixture, loadOpFixtures, loadOptimFixtures } from './fixtures/load.js';
import { OP_ADAPTERS } from './ops/adapters.js';
import { ERROR_CASES, expectError } from './ops/errors.js';
import { runAutogradFixture, runOpFixture, runOptimFixture, type OpSuiteContext } from './ops/suite.js';
import { leakSweepCoverage, publicOps, runLeakSweep } from './ops/leaks.js';
import { PRECISION_CASES, runPrecisionCase } from './ops/precision.js';
import { loadAutogradApiFixtures, runAutogradApiFixture } from './ops/autograd-api.js';

export interface ConformanceOptions<S = unknown> {
  /** Returns the backend under test; the suite calls its `init()` once if it has one. */
  backend: BackendFactory<S>;
  /** When given, the suite asserts `backend.engine()` equals it (e.g. 'typed-arrays', 'headlessgl'). */
  expectedEngine?: string;
  /** Per-kernel loosened tolerances (key: kernel name, e.g. 'exp'); default rtol 1e-4, atol 1e-5. */
  tolerances?: ToleranceTable;
  /** fast-check runs per property (default 20). */
  propertyRuns?: number;
  /**
   * PART C switch: run the op-level PyTorch fixtures (ops, gradients, gradcheck, the autograd
   * example, optimizers) through @flint/core's public API on this backend. Every fixture op must
   * then be provided by core: a missing one fails its case. Tolerance keys: 'op:<torch name>',
   * 'op:autograd-example', 'optim:<name>', 'autograd:<fixture fn>' (higher-order gradients).
   */
  ops?: boolean;
  /**
   * How the backend stores numbers when that is narrower than the contract's (e.g. gpu.js keeps
   * int32 in float32 textures: `{ int32ExactBelow: 2 ** 24 }`; GL may flush subnormals). Inputs are
   * mapped to what the backend can store and the reference is computed from them; state the limits
   * in the backend's README.
   */
  storage?: StorageModel;
}

export function runConformance<S>(options: ConformanceOptions<S>): void {
  let backend: Backend<unknown> | undefined;
  let passed = 0;
  let registered = 0;
  const notProvided: string[] = [];
  const tol = (kernel: string): Tolerance => toleranceFor(options.tolerances, kernel);

  /** Registers a counted test. */
  const check = (name: string, fn: (b: Backend<unknown>) => Promise<void> | void) => {
    registered++;
    it(name, async () => {
      if (backend === undefined) throw new Error('conformance: the backend factory did not produce a backend');
      await fn(backend);
      passed++;
    });
  };

  describe('conformance', async () => {
    setStorageModel(options.storage);
    backend = await openBackend(options.backend);
    const b = backend;

    afterAll(() => {
      const failed = registered - passed;
      let extra = notProvided.length > 0 ? `; optional kernels not provided: ${notProvided.join(', ')}` : '';
      if (!options.ops) extra += '; op-level fixtures (PART C) off';
      const model = describeStorageModel();
      if (model !== null) extra += `; declared storage: ${model}`;
      console.log(
        `conformance[${b.name}/${b.engine()}]: ${passed} cases passed${failed > 0 ? `, ${failed} failed or not run` : ''}${extra}`,
      );
    });

    describe('backend', () => {
      check('engine() names the engine it runs on', (bk) => {
        expect(typeof bk.engine()).toBe('string');
        expect(bk.engine().length).toBeGreaterThan(0);
        if (options.expectedEngine !== undefined) expect(bk.engine()).toBe(options.expectedEngine);
      });
      check('memory() reports handles and bytes', (bk) => {
        const m = bk.memory();
        expect(Number.isInteger(m.handles) && m.handles >= 0).toBe(true);
        expect(Number.isFinite(m.bytes) && m.bytes >= 0).toBe(true);
      });
    });

    describe('kernels', () => {
      const table = buildKernelCases();
      for (const name of Object.keys(table) as KernelName[]) {
        if ((OPTIONAL_KERNELS as readonly string[]).includes(name) && typeof b.kernels[name] !== 'function') {
          notProvided.push(name);
          continue;
        }
        describe(name, () => {
          for (const c of table[name]) check(c.name, (bk) => runKernelCase(bk, c, tol(name)));
        });
      }
    });

    describe('properties (fast-check)', () => {
      const runs = options.propertyRuns ?? 20;
      for (const op of BINARY_PROPERTY_OPS) {
        // An optional comparison the backend leaves out has no kernel to check (core composes it).
        if (typeof b.kernels[op] !== 'function') continue;
        check(`${op}: broadcasting any two compatible shapes matches the reference`, async (bk) => {
          await fc.assert(
            fc.asyncProperty(broadcastPair, fc.integer({ min: 0, max: 2 ** 31 - 1 }), async ([sa, sb], seed) => {
              const [a, b2] = binaryInputs(op, sa, sb, seed);
              const out = broadcastShape(sa, sb);
              const c = kc(
                `${op} [${sa}] with [${sb}]`,
                [a, b2],
                (k, [x, y]) => [k[op]!(x!, y!, out)],
                () => [mapBinary(op, a, b2)],
              );
              await runKernelCase(bk, c, tol(op));
            }),
            { numRuns: runs },
          );
        });
      }
      check('matmul: random shapes, transposes and batch broadcasts match the reference', async (bk) => {
        await fc.assert(
          fc.asyncProperty(matmulShapes, async ({ m, k: kk, n, batchA, batchB, ta, tb, seed }) => {
            const rng = new Rng(seed);
            const A = randn(rng, [...batchA, ...(ta ? [kk, m] : [m, kk])]);
            const B = randn(rng, [...batchB, ...(tb ? [n, kk] : [kk, n])]);
            const out = [...broadcastShape(batchA, batchB), m, n];
            const c = kc(
              `matmul [${A.shape}] x [${B.shape}]`,
              [A, B],
              (k, [x, y]) => [k.matmul(x!, y!, ta, tb, out)],
              () => [matmulRef(A, B, ta, tb)],
            );
            await runKernelCase(bk, c, tol('matmul'));
          }),
          { numRuns: runs * 2 },
        );
      });
    });

    if (options.ops) {
      // Loaded lazily: the kernel suite needs only @flint/core/backend.
      const api = await import('@flint/core');
      // The registry must hold this very instance (autoload may have registered another copy).
      if (!api.hasBackend(b.name) || api.getBackend(b.name) !== b) api.registerBackend(b);
      const ctx: OpSuiteContext = { api, backend: b, tolerance: tol };
      describe('ops (PyTorch fixtures via the public API)', () => {
        const fixtures = loadOpFixtures();
        check('every fixture op has an adapter', () => {
          const missing = [...new Set(fixtures.map((f) => f.op))].filter((op) => OP_ADAPTERS[op] === undefined);
          expect(missing).toEqual([]);
        });
        for (const f of fixtures) check(f.name, () => runOpFixture(ctx, f));
      });
      describe('autograd example (course)', () => {
        check('binary_cross_entropy_with_logits(x @ w + b, y): z, loss, w.grad, b.grad', () =>
          runAutogradFixture(ctx, loadAutogradFixture()),
        );
      });
      describe('higher-order gradients (autograd.grad with createGraph, PyTorch fixtures)', () => {
        for (const f of loadAutogradApiFixtures()) {
          check(f.name, () => runAutogradApiFixture(api, b, f, tol(`autograd:${f.fn}`)));
        }
      });
      describe('errors (same bad input, same message, on every backend)', () => {
        for (const c of ERROR_CASES) {
          check(c.name, () => {
            const before = b.memory().handles;
            const error = expectError(api, b.name, c);
            expect(error.message).toMatch(c.expected);
            expect(b.memory().handles, 'a failed call must not leak backend handles').toBe(before);
          });
        }
      });
      describe('optimizers (PyTorch fixtures)', () => {
        for (const fx of loadOptimFixtures()) check(fx.name, () => runOptimFixture(ctx, fx));
      });
      describe('leak sweep (every public op outside tidy, src/ops/leaks.ts)', () => {
        check('every public op has a leak-sweep builder', () =>
          expect(leakSweepCoverage(api)).toEqual({ missing: [], stale: [] }),
        );
        for (const name of publicOps(api)) check(name, () => runLeakSweep(api, b.name, name));
      });
      describe('precision of large reductions (float64 reference, src/ops/precision.ts)', () => {
        for (const c of PRECISION_CASES) check(c.name, () => runPrecisionCase(api, b.name, c));
      });
    }
  });
}
