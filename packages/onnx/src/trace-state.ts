/** The state an export's trace keeps, shared by the module and method emitters. */
import type { nn } from '@flint/core';
import type { GraphBuilder } from './graph.js';

/** What the tracer keeps while a forward pass runs. */
export interface TraceState {
  readonly graph: GraphBuilder;
  /** The modules running, outermost first, with their paths ('' is the root). */
  readonly stack: { readonly path: string; readonly module: nn.Module; readonly emits: boolean }[];
  /** >0 while inside a known module or a traced method: core ops there are not reported. */
  suppressed: number;
  /** The kernel-traced free functions running (cat, stack, where), innermost last (free-functions.ts). */
  readonly kernelTraced: string[];
}

/** The running module for error messages: `module 'features.0' (Conv2d)` or `the model (LeNet)`. */
export function where(state: TraceState): string {
  const top = state.stack[state.stack.length - 1];
  if (top === undefined) return 'the model';
  const label = top.path === '' ? 'the model' : `module '${top.path}'`;
  return `${label} (${top.module.constructor.name})`;
}
