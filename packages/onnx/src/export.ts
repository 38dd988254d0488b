/**
 * ONNX export: one traced forward pass in eval mode becomes an ONNX graph.
 *
 * Tracing works at two levels (README "How export traces" says why):
 * - Modules: forward hooks on every submodule. A module of a known class (Linear, Conv2d,
 *   BatchNorm2d, ...) becomes its ONNX node(s), built from its fields and parameters; what runs
 *   inside its forward is not traced.
 * - Tensor methods: functional code in a forward (`x.flatten(1)`, `a.add(b)`, `x.softmax(-1)`) is
 *   traced by wrapping those Tensor methods for the duration of the trace, so their arguments are
 *   seen.
 * - Free functions cat, stack and where: at the kernels their bodies call (free-functions.ts).
 * Everything else that reaches core's op boundary (an F.* or free function outside a known module)
 * is reported by core's op tracer and stops the export with an error naming the op and the module.
 */
import { type Backend, getBackend, type nn, noGrad, setOpTracer, Tensor, tidy, type OpTracer } from '@flint/core';
import { bindKernelResult, KERNEL_TRACED_OPS, wrapKernels } from './free-functions.js';
import { GraphBuilder } from './graph.js';
import { emitModule, moduleKind } from './modules.js';
import { METHODS } from './methods.js';
import { type TraceState, where } from './trace-state.js';

export interface ExportOptions {
  /** The default opset (ai.onnx domain) version; 17 (the default) and later are supported. */
  opset?: number;
  /** Graph input names, one per sample input (default input0, input1, ...). */
  inputNames?: readonly string[];
  /** Graph output names (default output0, ...). */
  outputNames?: readonly string[];
  /**
   * Axes of inputs and outputs whose size varies, by graph input/output name: the axis indices
   * (named `<name>_dim<axis>`) or a map from axis to a symbolic name, as torch.onnx.export's.
   */
  dynamicAxes?: Readonly<Record<string, readonly number[] | Readonly<Record<number, string>>>>;
  /** The graph's name (default the model's class name). */
  graphName?: string;
}

/**
 * Trace `model(...sampleInputs)` once in eval mode (without gradients) and return the ONNX model's
 * bytes: the parameters and buffers it reads are initializers under their state-dict names.
 * The model's training mode is restored afterwards.
 */
export function exportModel(
  model: nn.Module,
  sampleInputs: Tensor | readonly Tensor[],
  options: ExportOptions = {},
): Uint8Array {
  const inputs = sampleInputs instanceof Tensor ? [sampleInputs] : [...sampleInputs];
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 17)
    throw new Error(`onnx export: opset ${opset} is not supported (17 or later)`);
  for (const [i, x] of inputs.entries()) {
    if (!(x instanceof Tensor)) throw new Error(`onnx export: sample input ${i} is not a Tensor`);
  }
  const inputNames = inputs.map((_, i) => options.inputNames?.[i] ?? `input${i}`);
  const graph = new GraphBuilder(opset);
  for (const [name, t] of model.namedParameters()) graph.nameInitializer(t, name);
  for (const [name, t] of model.namedBuffers()) graph.nameInitializer(t, name);
  for (const [i, x] of inputs.entries()) graph.addInput(x, inputNames[i]!);

  const state: TraceState = { graph, stack: [], suppressed: 0, kernelTraced: [] };
  const wasTraining = model.training;
  const handles: { remove(): void }[] = [];
  const restoreMethods: (() => void)[] = [];
  let previousTracer: OpTracer | undefined;
  let output: unknown;
  model.eval();
  try {
    for (const [path, module] of model.namedModules()) {
      const known = moduleKind(module) !== undefined;
      handles.push(
        module.registerForwardPreHook(() => {
          // A known module inside another one (a TransformerEncoderLayer's self_attn) is part of
          // the outer module's nodes: it emits nothing itself.
          state.stack.push({ path, module, emits: known && state.suppressed === 0 });
          if (known) state.suppressed++;
          return undefined;
        }),
        module.registerForwardHook((m, args, out) => {
          const entry = state.stack[state.stack.length - 1]!;
          if (entry.emits) emitModule(state, m, args, out);
          if (known) state.suppressed--;
          state.stack.pop();
          return undefined;
        }),
      );
    }
    restoreMethods.push(...wrapMethods(state));
    const backends: Backend<unknown>[] = [getBackend()];
    for (const t of [...inputs, ...model.parameters(), ...model.buffers()]) backends.push(t.backend);
    restoreMethods.push(...wrapKernels(state, backends));
    previousTracer = setOpTracer(untracedOpGuard(state));
    // tidy frees the pass's intermediates; the graph needs only their identities, during the pass.
    output = tidy(() => noGrad(() => model(...inputs)));
  } finally {
    setOpTracer(previousTracer);
    for (const restore of restoreMethods) restore();
    for (const h of handles) h.remove();
    model.train(wasTraining);
  }
  const outputs = outputTensors(output);
  const outputNames = outputs.map((_, i) => options.outputNames?.[i] ?? `output${i}`);
  for (const [i, y] of outputs.entries()) graph.addOutput(y, outputNames[i]!);
  graph.setDynamicAxes(options.dynamicAxes ?? {});
  const bytes = graph.encode(options.graphName ?? model.constructor.name);
  // Free the outputs the pass made (not an input, parameter or buffer handed back as it is).
  const owned = new Set<Tensor>([...inputs, ...model.parameters(), ...model.buffers()]);
  for (const y of new Set(outputs)) if (!owned.has(y)) y.dispose();
  return bytes;
}

function outputTensors(output: unknown): Tensor[] {
  if (output instanceof Tensor) return [output];
  if (Array.isArray(output) && output.every((o) => o instanceof Tensor)) return output as Tensor[];
  throw new Error('onnx export: the model must return a Tensor or an array of Tensors');
}

/** Core's op tracer: an op reached outside a known module or traced method cannot be exported. */
function untracedOpGuard(state: TraceState): OpTracer {
  return {
    enter(name) {
      if (state.suppressed > 0) return;
      if (KERNEL_TRACED_OPS.has(name)) {
        state.kernelTraced.push(name);
        return;
      }
      throw new Error(
        `onnx export: op '${name}' called in ${where(state)} cannot be exported: ` +
          'write it with a module (nn.ReLU, nn.Flatten, ...), a Tensor method the exporter traces ' +
          `(${Object.keys(METHODS).sort().join(', ')}) or ${[...KERNEL_TRACED_OPS].join(', ')}`,
      );
    },
    exit(name, result) {
      if (state.suppressed > 0 || !KERNEL_TRACED_OPS.has(name)) return;
      state.kernelTraced.pop();
      bindKernelResult(state, name, result);
    },
  };
}

/** Wrap the traced Tensor methods: each call runs untraced and is emitted as ONNX nodes. */
function wrapMethods(state: TraceState): (() => void)[] {
  const proto = Tensor.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const restore: (() => void)[] = [];
  for (const [method, emit] of Object.entries(METHODS)) {
    const original = proto[method];
    if (original === undefined) throw new Error(`onnx export: Tensor has no method ${method}`);
    proto[method] = function (this: Tensor, ...args: unknown[]): unknown {
      if (state.suppressed > 0) return original.apply(this, args);
      state.suppressed++;
      let result: unknown;
      try {
        result = original.apply(this, args);
        emit(state, this, args, result as Tensor);
      } finally {
        state.suppressed--;
      }
      return result;
    };
    restore.push(() => {
      proto[method] = original;
    });
  }
  return restore;
}
