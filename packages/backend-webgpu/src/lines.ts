/**
 * Line-wise kernels (sort, cumulative) see x as [outer, N, I]: line l = (o, i) starts at
 * o * N * I + i and steps by I. Loops over a line are nested as chunks of LINE_CHUNK (llvmpipe ends
 * a single shader loop after 65535 iterations), so any line length runs.
 */
import { sizeOf } from '@flint/core/backend';

export const LINE_CHUNK = 4096;

export interface LineGeometry {
  /** Elements along the axis. */
  readonly n: number;
  /** Stride of the axis. */
  readonly inner: number;
  /** Number of lines. */
  readonly lines: number;
  /** Chunks per line. */
  readonly chunks: number;
}

export function lineGeometry(shape: readonly number[], axis: number): LineGeometry {
  const n = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const total = sizeOf(shape);
  return { n, inner, lines: n === 0 ? 0 : total / n, chunks: Math.max(1, Math.ceil(n / LINE_CHUNK)) };
}

/**
 * WGSL that runs `body` for k = 0 .. end - 1 along the line (k: u32), as nested chunk loops;
 * `end` is a u32 expression.
 */
export function forLine(end: string, body: string): string {
  return `for (var c = 0u; c * ${LINE_CHUNK}u < ${end}; c++) {
    for (var kl = 0u; kl < ${LINE_CHUNK}u; kl++) {
      let k = c * ${LINE_CHUNK}u + kl;
      if (k >= ${end}) { break; }
${body}
    }
  }`;
}
