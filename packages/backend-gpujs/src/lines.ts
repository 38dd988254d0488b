/**
 * Line-wise kernels (sort, cumulative) see x as [outer, N, I]: the line of element e is
 * (o, i) = (e / (N * I), e % I), its position along the axis j = (e / I) % N, and element k of that
 * line sits at base + k * I. Lines longer than CHUNK are processed in chunks of CH elements
 * (llvmpipe ends shader loops after 65535 iterations, see reduce.ts).
 */
import { sizeOf } from '@flint/core/backend';
import { divmod } from './wide.js';
import { CHUNK } from './reduce.js';

export interface LineConstants {
  /** Elements along the axis. */
  N: number;
  /** Stride of the axis (elements after it). */
  I: number;
  /** Elements per chunk. */
  CH: number;
  /** Chunks per line. */
  P: number;
  [name: string]: number;
}

export function lineConstants(shape: readonly number[], axis: number): LineConstants {
  const N = shape[axis]!;
  const I = sizeOf(shape.slice(axis + 1));
  const P = Math.max(1, Math.ceil(N / CHUNK));
  return { N, I, CH: P === 1 ? N : CHUNK, P };
}

/** Source lines declaring `base` (offset of the line's element 0) and `j` (position) for element `e`. */
export function lineOf(e: string): string {
  return `${divmod(e, 'this.constants.I', 'q1', 'i')}
${divmod('q1', 'this.constants.N', 'o', 'j')}
const base = o * this.constants.N * this.constants.I + i;
`;
}
