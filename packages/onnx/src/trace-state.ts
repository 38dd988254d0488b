/** The state an export's trace keeps, shared by the module and method emitters. */
import type { nn } from '@flint/core';
import type { GraphBuilder } from './graph.js';

/** What the tracer keeps while a forward pass runs. */
export interface TraceState {
  readonly graph: GraphBuilder;
  /** Module paths from the root to the module running ('' is the root). */
  readonly paths: string[];
  /** >0 while inside a known module or a traced method: core ops there are not reported. */
  suppressed: number;
}

/** The module path for error messages: `'features.0' (Conv2d)` or `the model (LeNet)`. */
export function where(state: TraceState, module?: nn.Module): string {
  const path = state.paths[state.paths.length - 1] ?? '';
  const name = module?.constructor.name;
  const label = path === '' ? 'the model' : `module '${path}'`;
  return name === undefined ? label : `${label} (${name})`;
}
