/** Shared constants for the conv2d kernels (direct convolution, NCHW). */
import type { Conv2dParams, Shape } from '@flint/core/backend';
import { FLOAT_EXACT, divmod, divmodWide, narrow, threadWide } from './wide.js';

export function convConstants(xShape: Shape, wShape: Shape, yShape: Shape, p: Conv2dParams): Record<string, number> {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const [O, Cg, kH, kW] = wShape as [number, number, number, number];
  const [, , Ho, Wo] = yShape as [number, number, number, number];
  return {
    N,
    C,
    H,
    W,
    O,
    Cg,
    kH,
    kW,
    Ho,
    Wo,
    Og: O / p.groups,
    sh: p.stride[0],
    sw: p.stride[1],
    ph: p.padding[0],
    pw: p.padding[1],
    dh: p.dilation[0],
    dw: p.dilation[1],
  };
}

/** Split the flat index `i` into four coordinates of dims (_, d1, d2, d3). */
export function split4(i: string, names: [string, string, string, string], d1: string, d2: string, d3: string): string {
  const [a, b, c, d] = names;
  return `${divmod(i, `this.constants.${d3}`, 'r3_', d)}${divmod('r3_', `this.constants.${d2}`, 'r2_', c)}${divmod(
    'r2_',
    `this.constants.${d1}`,
    a,
    b,
  )}`;
}

/** Split the narrow index `i` into three coordinates of dims (_, d1, d2). */
export function split3(i: string, names: [string, string, string], d1: string, d2: string): string {
  const [a, b, c] = names;
  return `${divmod(i, `this.constants.${d2}`, 'r2_', c)}${divmod('r2_', `this.constants.${d1}`, a, b)}`;
}

/**
 * Wide prologue of the image kernels: the thread index, past 2^24, split into the sample (or
 * plane) `n` and the narrow position `rest` within it, for `per` (a constant with limbs) elements
 * per sample. Inputs are then read as rows of one sample (`x[n][...]`): see `checkSamples`.
 */
export function splitSample(per: string, n: string, rest: string): string {
  return `${threadWide('t')}${divmodWide('t', per, `${n}W`, `${rest}W`, 'smp')}const ${n} = ${narrow(`${n}W`)};
const ${rest} = ${narrow(`${rest}W`)};
`;
}

/**
 * The image kernels past 2^24 elements keep narrow arithmetic within one sample (or plane) and
 * address samples as rows: each row length, each row count and the weight must stay below 2^24.
 */
export function checkSamples(kernel: string, sizes: Readonly<Record<string, number>>): void {
  for (const [what, size] of Object.entries(sizes)) {
    if (size > FLOAT_EXACT) {
      throw new Error(
        `@flint/backend-gpujs: ${kernel}: ${what} has ${size} elements; past 2^24 elements a tensor is addressed ` +
          `one sample at a time, and ${what} must stay within 2^24 = ${FLOAT_EXACT}.`,
      );
    }
  }
}
