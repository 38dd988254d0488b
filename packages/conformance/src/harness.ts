/** Runs one kernel case against a backend: upload, call, read back, compare, dispose, leak check. */
import { expect } from 'vitest';
import type { Backend } from '@flint/core/backend';
import { compareData, FLOAT32_TOLERANCE, type Tolerance } from './compare.js';
import { toDataArray } from './reference/tensor.js';
import { isCustom, type AnyKernels, type ComputeCase, type KernelCase, type Ref } from './kernels/types.js';

const EXACT: Tolerance = { rtol: 0, atol: 0 };

export type ToleranceTable = Partial<Record<string, Tolerance>>;

export function toleranceFor(table: ToleranceTable | undefined, kernel: string): Tolerance {
  return table?.[kernel] ?? FLOAT32_TOLERANCE;
}

/**
 * Runs a case and throws (with every problem listed) when the backend disagrees with the
 * reference, modified an input, returned an input's storage as its output, or leaked a handle.
 */
export async function runKernelCase(backend: Backend<unknown>, c: KernelCase, tol: Tolerance): Promise<void> {
  const k: AnyKernels = backend.kernels;
  const before = backend.memory().handles;
  if (isCustom(c)) {
    await c.body({ backend, kernels: k });
  } else {
    await runCompute(k, c, tol);
  }
  expect(backend.memory().handles, `live handles after '${c.name}' disposed its inputs and outputs`).toBe(before);
}

async function runCompute(k: AnyKernels, c: ComputeCase, tol: Tolerance): Promise<void> {
  const inputs: Ref[] = [];
  const outs: unknown[] = [];
  const problems: string[] = [];
  try {
    for (const t of c.inputs)
      inputs.push({ storage: k.write(toDataArray(t), t.shape, t.dtype), shape: t.shape, dtype: t.dtype });
    outs.push(...c.run(k, inputs));
    const expected = c.expected();
    if (outs.length !== expected.length) problems.push(`${outs.length} outputs, expected ${expected.length}`);
    for (let i = 0; i < Math.min(outs.length, expected.length); i++) {
      const e = expected[i]!;
      if (inputs.some((r) => r.storage === outs[i])) {
        problems.push(`output ${i} is an input's storage (kernels must return new storage)`);
        continue;
      }
      const data = await k.read({ storage: outs[i], shape: e.shape, dtype: e.dtype });
      problems.push(...compareData(data, e, tol, `output ${i} ${e.dtype} [${e.shape.join(',')}]`));
    }
    for (let i = 0; i < inputs.length; i++) {
      const after = await k.read(inputs[i]!);
      problems.push(
        ...compareData(after, c.inputs[i]!, EXACT, `input ${i} after the kernel ran (kernels must not modify inputs)`),
      );
    }
  } finally {
    const inputStorages = new Set(inputs.map((r) => r.storage));
    for (const o of new Set(outs)) if (!inputStorages.has(o)) k.dispose(o);
    for (const s of inputStorages) k.dispose(s);
  }
  if (problems.length > 0)
    throw new Error(`${c.name} (rtol ${tol.rtol}, atol ${tol.atol}):\n  ${problems.join('\n  ')}`);
}
