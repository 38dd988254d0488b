/**
 * The free functions cat, stack and where in a forward, traced at the kernels their bodies call.
 *
 * They are module-level functions of @flint/core (ES module bindings cannot be wrapped), and the
 * op boundary does not see their arguments: op('cat', () => ...) passes no tensor list, and neither
 * the dim nor a scalar branch of where is visible. Their kernel calls carry everything
 * (concat(inputs, axis), where(cond, a, b), the casts that promote), so while one of these ops runs
 * outside a known module or traced method, the exporter emits the nodes for the kernels it calls.
 * The kernel inputs are matched to traced values by storage handle (Flint's tensors are contiguous,
 * so a handle and a shape name one value). This is sound because every other producer of a value
 * from traced data is either traced or stopped: other ops by core's op tracer guard (export.ts),
 * other kernels inside these ops by the wrapper below. So storage the trace did not write holds a
 * constant (a `fill` for a scalar branch, or a tensor made in forward) and is read as one.
 */
import type { Backend, DType, Tensor, TensorRef } from '@flint/core';
import { onnxType } from './graph.js';
import type { TraceState } from './trace-state.js';
import { where } from './trace-state.js';

/** The ops traced at their kernels. */
export const KERNEL_TRACED_OPS: ReadonlySet<string> = new Set(['cat', 'stack', 'where']);

type KernelEmit = (state: TraceState, backend: Backend<unknown>, args: unknown[], out: unknown) => void;

const refOf = (state: TraceState, backend: Backend<unknown>, ref: TensorRef<unknown>): string =>
  state.graph.refValue(ref, () => backend.kernels.readSync(ref));

/**
 * The kernels those ops' bodies call. `fill` and `write` make constants, read when a node uses
 * them (readSync writes nothing); `dispose` frees a temporary.
 */
const KERNELS: Readonly<Record<string, KernelEmit | null>> = {
  fill: null,
  write: null,
  readSync: null,
  dispose: null,
  copy: (state, backend, args, out) => {
    const [x] = args as [TensorRef<unknown>];
    state.graph.bindStorage(out, state.graph.node('Identity', [refOf(state, backend, x)]), x.shape);
  },
  cast: (state, backend, args, out) => {
    const [x, dtype] = args as [TensorRef<unknown>, DType];
    const name = state.graph.node('Cast', [refOf(state, backend, x)], { to: onnxType({ dtype }) });
    state.graph.bindStorage(out, name, x.shape);
  },
  where: (state, backend, args, out) => {
    const [cond, a, b, shape] = args as [TensorRef<unknown>, TensorRef<unknown>, TensorRef<unknown>, number[]];
    const inputs = [cond, a, b].map((r) => refOf(state, backend, r));
    state.graph.bindStorage(out, state.graph.node('Where', inputs), shape);
  },
  concat: (state, backend, args, out) => {
    const [xs, axis, shape] = args as [TensorRef<unknown>[], number, number[]];
    const inputs = xs.map((r) => refOf(state, backend, r));
    state.graph.bindStorage(out, state.graph.node('Concat', inputs, { axis }), shape);
  },
};

/**
 * Wrap every kernel of `backends` for the trace: inside a kernel-traced op (state.kernelTraced > 0,
 * outside known modules and traced methods) the kernels above emit their nodes and any other kernel
 * is an error; elsewhere each runs as it is, except that reading a traced value back to the host
 * outside known modules and traced methods is an error. Returns the restore functions.
 */
export function wrapKernels(state: TraceState, backends: Iterable<Backend<unknown>>): (() => void)[] {
  const restore: (() => void)[] = [];
  for (const backend of new Set(backends)) {
    const kernels = backend.kernels as unknown as Record<string, unknown>;
    for (const [kernel, original] of Object.entries(kernels)) {
      if (typeof original !== 'function') continue;
      const emit = Object.hasOwn(KERNELS, kernel) ? KERNELS[kernel] : undefined;
      kernels[kernel] = (...args: unknown[]): unknown => {
        const traced = state.kernelTraced.length > 0 && state.suppressed === 0;
        if (traced && emit === undefined)
          throw new Error(
            `onnx export: op '${state.kernelTraced[state.kernelTraced.length - 1]}' called in ${where(state)} ` +
              `reaches kernel '${kernel}', which the exporter does not trace`,
          );
        // A freed storage names no value any more (a backend may hand its handle out again).
        if (kernel === 'dispose') state.graph.forgetStorage(args[0]);
        // A traced value read to the host (item(), tolist(), a data-dependent shape) would be baked
        // into the graph as the numbers of this one input.
        if (
          kernel === 'readSync' &&
          state.suppressed === 0 &&
          state.graph.holdsTracedValue((args[0] as TensorRef<unknown>).storage)
        )
          throw new Error(
            `onnx export: a traced value of shape [${(args[0] as TensorRef<unknown>).shape.join(', ')}] is read back to the host in ${where(state)} ` +
              '(item(), tolist(), dataSync() or an op whose result shape depends on the values): the graph would hold its values of this one input as constants',
          );
        const out = (original as (...a: unknown[]) => unknown).apply(kernels, args);
        if (traced && emit !== null && emit !== undefined) emit(state, backend, args, out);
        return out;
      };
      restore.push(() => {
        kernels[kernel] = original;
      });
    }
  }
  return restore;
}

/** Bind the result of a kernel-traced op to the value its last kernel wrote. */
export function bindKernelResult(state: TraceState, op: string, result: unknown): void {
  const t = result as Tensor;
  const name = state.graph.storageValue(t);
  if (name === undefined) throw new Error(`onnx export: the result of op '${op}' in ${where(state)} was not traced`);
  state.graph.bind(t, name);
}
