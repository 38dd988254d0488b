/** The shape of a kernel-level conformance case. */
import type { Backend, Kernels, TensorRef } from '@flint/core/backend';
import type { HostTensor } from '../reference/tensor.js';

/** The suite does not know a backend's storage type. */
export type AnyKernels = Kernels<unknown>;
export type Ref = TensorRef<unknown>;

/**
 * The common case: `inputs` are uploaded with `kernels.write`, `run` calls the kernel under test and
 * returns the output storages, and each is read back and compared with `expected()` (computed on the
 * host in float64 and rounded to the output dtype). The harness also checks that inputs were not
 * modified, that no output aliases an input, and that no handle leaked once everything is disposed.
 */
export interface ComputeCase {
  readonly name: string;
  readonly inputs: readonly HostTensor[];
  readonly run: (k: AnyKernels, x: readonly Ref[]) => unknown[];
  readonly expected: () => readonly HostTensor[];
}

/** Cases about memory behaviour (write/read/readSync/dispose) that need their own body. */
export interface CustomCase {
  readonly name: string;
  readonly body: (ctx: CaseContext) => Promise<void>;
}

export interface CaseContext {
  readonly backend: Backend<unknown>;
  readonly kernels: AnyKernels;
}

export type KernelCase = ComputeCase | CustomCase;

export function isCustom(c: KernelCase): c is CustomCase {
  return 'body' in c;
}

/** Builds a ComputeCase. */
export function kc(
  name: string,
  inputs: readonly HostTensor[],
  run: (k: AnyKernels, x: readonly Ref[]) => unknown[],
  expected: () => readonly HostTensor[],
): ComputeCase {
  return { name, inputs, run, expected };
}

/** Describes a shape for case names. */
export function sh(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
