/**
 * `runDifferential`: every kernel on seeded random (and hand-picked edge) inputs, run on the
 * backend under test and on a reference backend (normally @flint/backend-cpu), outputs compared.
 * It complements runConformance's float64 host references with a second, independent
 * implementation on the same inputs, and checks each case's memory behaviour on both backends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, DataArray, DType } from '@flint/core/backend';
import { openBackend, type BackendFactory } from '../backend-factory.js';
import { compareData, FLOAT32_TOLERANCE, type Tolerance } from '../compare.js';
import type { ToleranceTable } from '../harness.js';
import { OPTIONAL_KERNELS, type KernelName } from '../kernels/table.js';
import type { AnyKernels, Ref } from '../kernels/types.js';
import { randn, Rng } from '../reference/random.js';
import { applyStorageModel, type StorageModel } from '../reference/storage-model.js';
import { host, sizeOfShape, typedArrayOf, type HostTensor } from '../reference/tensor.js';
import { buildDifferentialCases } from './cases.js';
import type { DifferentialCase, DifferentialInput, DifferentialOutput } from './types.js';

export interface DifferentialOptions<S = unknown, R = unknown> {
  /** The backend under test; `init()` is called once if present. */
  backend: BackendFactory<S>;
  /** The backend whose outputs count as right, normally `() => cpuBackend`; `init()` is called once. */
  reference: BackendFactory<R>;
  /** When given, asserts `backend.engine()` equals it (e.g. 'headlessgl', 'wasm'). */
  expectedEngine?: string;
  /** Default: every case of `buildDifferentialCases()`. */
  cases?: readonly DifferentialCase[];
  /**
   * The backend's declared float32 tolerance per kernel (key: kernel name). It replaces the cases'
   * own tolerances for that kernel (some cases are tighter than the default), so state the reason in
   * the backend's README. Default: the case's tolerance, else rtol 1e-4 / atol 1e-5.
   */
  tolerances?: ToleranceTable;
  /**
   * The backend's narrower number storage, as in runConformance (gpu.js: `{ int32ExactBelow: 2 ** 24 }`,
   * GL: `flushSubnormals`): inputs are mapped to what it can store before both backends get them.
   */
  storage?: StorageModel;
  /** The dtype the backend's own storage object claims; asserted equal to each output's declared dtype. */
  outputDType?: (storage: S) => DType;
  /** An engine-level counter that each case must leave as it found it, e.g. `() => tf.memory().numTensors`. */
  extraCounter?: () => number;
  /** Name of the extra counter in messages (default 'extraCounter'). */
  extraCounterName?: string;
  /**
   * False for a backend that reads only asynchronously (WebGPU): outputs are read with `read` alone
   * instead of also checking that `readSync` agrees. Default true.
   */
  syncReads?: boolean;
}

/** What one case needs besides the two backends. */
export interface DifferentialCaseOptions {
  readonly tolerance?: Tolerance;
  readonly storage?: StorageModel;
  readonly outputDType?: (storage: unknown) => DType;
  readonly extraCounter?: () => number;
  readonly extraCounterName?: string;
  readonly syncReads?: boolean;
}

const EXACT: Tolerance = { rtol: 0, atol: 0 };
const ARRAY_FOR: Record<DType, string> = { float32: 'Float32Array', int32: 'Int32Array', bool: 'Uint8Array' };
const STEADY_STATE_STEPS = 50;

export function runDifferential<S, R>(options: DifferentialOptions<S, R>): void {
  let backend: Backend<unknown> | undefined;
  let reference: Backend<unknown> | undefined;
  let passed = 0;
  let registered = 0;
  const notProvided: string[] = [];
  const covered = new Set<KernelName>();
  const caseOptions: DifferentialCaseOptions = {
    storage: options.storage ?? {},
    outputDType: options.outputDType as ((storage: unknown) => DType) | undefined,
    extraCounter: options.extraCounter,
    extraCounterName: options.extraCounterName,
    syncReads: options.syncReads ?? true,
  };

  const check = (name: string, fn: (b: Backend<unknown>, r: Backend<unknown>) => Promise<void> | void) => {
    registered++;
    it(name, async () => {
      if (backend === undefined || reference === undefined)
        throw new Error('differential: a backend factory did not produce a backend');
      await fn(backend, reference);
      passed++;
    });
  };

  describe('differential (kernels vs a reference backend)', async () => {
    backend = await openBackend(options.backend);
    reference = await openBackend(options.reference);
    const b = backend;
    const r = reference;

    afterAll(() => {
      const failed = registered - passed;
      const missing = notProvided.length > 0 ? `; optional kernels not provided: ${notProvided.join(', ')}` : '';
      console.log(
        `differential[${b.name}/${b.engine()} vs ${r.name}/${r.engine()}]: ${passed} cases passed` +
          `${failed > 0 ? `, ${failed} failed or not run` : ''} (kernels covered: ${covered.size})${missing}`,
      );
    });

    if (options.expectedEngine !== undefined) {
      const engine = options.expectedEngine;
      check(`runs on the '${engine}' engine`, (bk) => {
        expect(bk.engine()).toBe(engine);
      });
    }

    const byKernel = new Map<KernelName, DifferentialCase[]>();
    for (const c of options.cases ?? buildDifferentialCases()) {
      const list = byKernel.get(c.kernel) ?? [];
      list.push(c);
      byKernel.set(c.kernel, list);
    }
    for (const [kernel, cases] of byKernel) {
      if ((OPTIONAL_KERNELS as readonly string[]).includes(kernel) && typeof b.kernels[kernel] !== 'function') {
        notProvided.push(kernel);
        continue;
      }
      covered.add(kernel);
      describe(kernel, () => {
        for (const c of cases) {
          const tolerance = options.tolerances?.[kernel] ?? c.tolerance ?? FLOAT32_TOLERANCE;
          check(c.name, (bk, ref) => runDifferentialCase(bk, ref, c, { ...caseOptions, tolerance }));
        }
      });
    }

    check('a repeated kernel sequence keeps memory flat', async (bk) => {
      const problems = await steadyState(bk, caseOptions);
      expect(problems).toEqual([]);
    });
  });
}

/**
 * Runs one case on both backends and throws (listing every problem) when the outputs disagree,
 * when either backend returned an output of the wrong type, length or storage dtype, modified or
 * aliased an input, read differently with readSync than with read, or left memory (or the extra
 * counter) different from before the case.
 */
export async function runDifferentialCase(
  backend: Backend<unknown>,
  reference: Backend<unknown>,
  c: DifferentialCase,
  options: DifferentialCaseOptions = {},
): Promise<void> {
  const tol = options.tolerance ?? FLOAT32_TOLERANCE;
  const storage = options.storage ?? {};
  const inputs = c.inputs.map((t) => stored(t, storage));
  const problems: string[] = [];
  const counterBefore = options.extraCounter?.();
  if (typeof reference.kernels[c.kernel] !== 'function')
    problems.push(`the reference backend '${reference.name}' does not provide ${c.kernel}`);
  else {
    const want = await runOn(reference, c, inputs, problems, undefined, true);
    const got = await runOn(backend, c, inputs, problems, options.outputDType, options.syncReads ?? true);
    if (want !== null && got !== null) {
      c.outputs.forEach((o, i) => {
        const expected = host(o.shape, o.dtype, want[i]!);
        const label = `output ${i} ${o.dtype} [${o.shape.join(',')}] vs ${reference.name}`;
        problems.push(...compareData(got[i]!, expected, o.dtype === 'float32' ? tol : EXACT, label, storage));
      });
    }
  }
  if (counterBefore !== undefined) {
    const after = options.extraCounter!();
    if (after !== counterBefore)
      problems.push(
        `${options.extraCounterName ?? 'extraCounter'} was ${counterBefore} before the case, ${after} after`,
      );
  }
  if (problems.length > 0)
    throw new Error(`${c.name} (rtol ${tol.rtol}, atol ${tol.atol}):\n  ${problems.join('\n  ')}`);
}

/** A copy of the input with the storage model applied (the case's own tensor is shared by every run). */
function stored(t: DifferentialInput, model: StorageModel): DifferentialInput {
  const copy = { ...t, data: Float64Array.from(t.data) };
  applyStorageModel(copy, model);
  return copy;
}

/** Problems with an array read back for a declared output: its type and its length. */
function arrayProblems(values: DataArray, o: DifferentialOutput, label: string): string[] {
  const want = ARRAY_FOR[o.dtype];
  const got = values?.constructor?.name ?? typeof values;
  if (got !== want) return [`${label}: read() returned ${got}, expected ${want} for ${o.dtype}`];
  const n = sizeOfShape(o.shape);
  if (values.length !== n)
    return [`${label}: ${values.length} elements, expected ${n} for shape [${o.shape.join(', ')}]`];
  return [];
}

/**
 * Uploads the inputs to one backend, runs the case, reads every output back (read, and readSync
 * compared with it), checks the inputs are unchanged, disposes everything and checks memory.
 * Returns the outputs, or null when they cannot be compared (the problems say why).
 */
async function runOn(
  b: Backend<unknown>,
  c: DifferentialCase,
  inputs: readonly DifferentialInput[],
  problems: string[],
  outputDType: ((storage: unknown) => DType) | undefined,
  syncReads: boolean,
): Promise<DataArray[] | null> {
  const k: AnyKernels = b.kernels;
  const who = b.name;
  const before = b.memory();
  const refs: Ref[] = [];
  const outs: unknown[] = [];
  let result: DataArray[] | null = null;
  try {
    for (const t of inputs)
      refs.push({
        storage: k.write(typedArrayOf(t), t.storageShape ?? t.shape, t.dtype),
        shape: t.shape,
        dtype: t.dtype,
      });
    outs.push(...c.run(k, refs));
    if (outs.length !== c.outputs.length) {
      problems.push(`${who}: ${outs.length} outputs, the case declares ${c.outputs.length}`);
    } else {
      const values: DataArray[] = [];
      for (let i = 0; i < outs.length; i++) {
        const o = c.outputs[i]!;
        const label = `${who} output ${i}`;
        if (refs.some((r) => r.storage === outs[i])) {
          problems.push(`${label} is an input's storage (kernels must return new storage)`);
          continue;
        }
        const claimed = outputDType?.(outs[i]);
        if (claimed !== undefined && claimed !== o.dtype)
          problems.push(`${label}: the backend's storage has dtype ${claimed}, expected ${o.dtype}`);
        const ref = { storage: outs[i], shape: o.shape, dtype: o.dtype };
        const data = await k.read(ref);
        const bad = arrayProblems(data, o, label);
        problems.push(...bad);
        if (bad.length > 0) continue;
        if (syncReads)
          problems.push(
            ...compareData(k.readSync(ref), host(o.shape, o.dtype, data), EXACT, `${label} readSync vs read`),
          );
        values.push(data);
      }
      if (values.length === outs.length) result = values;
    }
    for (let i = 0; i < refs.length; i++) {
      const after = await k.read(refs[i]!);
      const label = `${who} input ${i} after the kernel ran (kernels must not modify inputs)`;
      problems.push(...compareData(after, inputs[i]!, EXACT, label));
    }
  } catch (e) {
    problems.push(`${who} threw: ${e instanceof Error ? e.message : String(e)}`);
    result = null;
  } finally {
    const inputStorages = new Set(refs.map((r) => r.storage));
    for (const o of new Set(outs)) if (!inputStorages.has(o)) k.dispose(o);
    for (const s of inputStorages) k.dispose(s);
  }
  const after = b.memory();
  if (after.handles !== before.handles || after.bytes !== before.bytes)
    problems.push(
      `${who}: ${before.handles} handles / ${before.bytes} bytes before the case, ` +
        `${after.handles} / ${after.bytes} after it disposed its inputs and outputs`,
    );
  return result;
}

/**
 * A small training-like kernel sequence (linear or matmul + add, relu, logSoftmax when provided,
 * sum, max-pool, conv weight gradient) run 1 + 50 times, everything disposed each time: memory and
 * the extra counter must be the same after the first run and after the last (caches, pools and
 * engine-side tensors must not grow), and disposing the three inputs must release three handles.
 */
async function steadyState(b: Backend<unknown>, options: DifferentialCaseOptions): Promise<string[]> {
  const k = b.kernels;
  const rng = new Rng(7);
  const upload = (t: HostTensor): Ref => ({
    storage: k.write(typedArrayOf(t), t.shape, t.dtype),
    shape: t.shape,
    dtype: t.dtype,
  });
  const x = upload(randn(rng, [8, 16]));
  const w = upload(randn(rng, [4, 16]));
  const bias = upload(host([4], 'float32', [0.1, -0.2, 0.3, 0]));
  const f = (storage: unknown, shape: number[]): Ref => ({ storage, shape, dtype: 'float32' });
  const step = () => {
    const temps: unknown[] = [];
    let y: unknown;
    if (k.linear) y = k.linear(x, w, bias, [8, 4]);
    else {
      const xw = k.matmul(x, w, false, true, [8, 4]);
      y = k.add(f(xw, [8, 4]), bias, [8, 4]);
      temps.push(xw);
    }
    const r = k.relu(f(y, [8, 4]));
    const ls = k.logSoftmax ? k.logSoftmax(f(r, [8, 4]), 1) : k.exp(f(r, [8, 4]));
    const s = k.sum(f(ls, [8, 4]), [0, 1]);
    // The [8,16] input seen as a [1,2,8,8] image (a view, as core's reshape makes).
    const img = f(x.storage, [1, 2, 8, 8]);
    const pool = {
      kernelSize: [2, 2],
      stride: [2, 2],
      padding: [0, 0],
      dilation: [1, 1],
      ceilMode: false,
      countIncludePad: true,
    } as const;
    const mp = k.maxPool2d(img, pool, [1, 2, 4, 4]);
    const g = k.conv2dBackwardWeight(img, f(mp.values, [1, 2, 4, 4]), [2, 2, 5, 5], {
      stride: [1, 1],
      padding: [0, 0],
      dilation: [1, 1],
      groups: 1,
    });
    for (const t of [...temps, y, r, ls, s, mp.values, mp.indices, g]) k.dispose(t);
  };
  const counter = () => options.extraCounter?.();
  const problems: string[] = [];
  step();
  const first = { ...b.memory(), counter: counter() };
  for (let i = 0; i < STEADY_STATE_STEPS; i++) step();
  const last = { ...b.memory(), counter: counter() };
  const name = options.extraCounterName ?? 'extraCounter';
  if (last.handles !== first.handles || last.bytes !== first.bytes)
    problems.push(
      `memory after the first run ${first.handles} handles / ${first.bytes} bytes, ` +
        `after ${STEADY_STATE_STEPS} more ${last.handles} / ${last.bytes}`,
    );
  if (last.counter !== first.counter)
    problems.push(`${name} after the first run ${first.counter}, after ${STEADY_STATE_STEPS} more ${last.counter}`);
  for (const t of [x, w, bias]) k.dispose(t.storage);
  const released = b.memory().handles;
  if (released !== first.handles - 3)
    problems.push(`disposing the 3 inputs left ${released} handles, expected ${first.handles - 3}`);
  return problems;
}
