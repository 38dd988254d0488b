/** Shared constants for the conv2d kernels (direct convolution, NCHW). */
import type { Conv2dParams, Shape } from '@flint/core/backend';

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
  return `const r3_ = Math.floor((${i} + 0.5) / this.constants.${d3});
const ${d} = ${i} - r3_ * this.constants.${d3};
const r2_ = Math.floor((r3_ + 0.5) / this.constants.${d2});
const ${c} = r3_ - r2_ * this.constants.${d2};
const ${a} = Math.floor((r2_ + 0.5) / this.constants.${d1});
const ${b} = r2_ - ${a} * this.constants.${d1};
`;
}
