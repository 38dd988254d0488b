/** The shape of a differential case: one kernel call run on the backend under test and on a reference backend. */
import type { DType, Shape } from '@flint/core/backend';
import type { Tolerance } from '../compare.js';
import type { AnyKernels, Ref } from '../kernels/types.js';
import type { KernelName } from '../kernels/table.js';
import type { HostTensor } from '../reference/tensor.js';

/** A host input; with `storageShape` it is uploaded in that shape and the kernel gets a view (core's metadata-only reshape). */
export interface DifferentialInput extends HostTensor {
  readonly storageShape?: Shape;
}

/** What core would pass to `read` for an output: its shape and dtype. */
export interface DifferentialOutput {
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface DifferentialCase {
  /** The kernel under test; a case of an optional kernel the backend lacks is reported, not run. */
  readonly kernel: KernelName;
  readonly name: string;
  readonly inputs: readonly DifferentialInput[];
  /** Calls the kernel (the same call on both backends) and returns the output storages. */
  readonly run: (k: AnyKernels, x: readonly Ref[]) => unknown[];
  /** One per storage `run` returns. */
  readonly outputs: readonly DifferentialOutput[];
  /** For float32 outputs; default: the suite's per-kernel tolerance. */
  readonly tolerance?: Tolerance;
}

/** float32 output of `shape`. */
export const f32 = (shape: Shape): DifferentialOutput => ({ shape, dtype: 'float32' });
export const i32 = (shape: Shape): DifferentialOutput => ({ shape, dtype: 'int32' });
export const bool = (shape: Shape): DifferentialOutput => ({ shape, dtype: 'bool' });

/** Collects cases in order (a family's builder adds to it). */
export class CaseList {
  readonly cases: DifferentialCase[] = [];
  add(
    kernel: KernelName,
    name: string,
    inputs: readonly DifferentialInput[],
    run: DifferentialCase['run'],
    outputs: readonly DifferentialOutput[],
    tolerance?: Tolerance,
  ): void {
    this.cases.push({ kernel, name, inputs, run, outputs, tolerance });
  }
}
