/** Shared constants for the pooling kernels (NCHW, PyTorch's window rules, as backend-cpu). */
import type { Pool2dParams, Shape } from '@flint/core/backend';

export function poolConstants(xShape: Shape, yShape: Shape, p: Pool2dParams): Record<string, number> {
  const [, C, H, W] = xShape as [number, number, number, number];
  const [, , Ho, Wo] = yShape as [number, number, number, number];
  return {
    C,
    H,
    W,
    Ho,
    Wo,
    kH: p.kernelSize[0],
    kW: p.kernelSize[1],
    sh: p.stride[0],
    sw: p.stride[1],
    ph: p.padding[0],
    pw: p.padding[1],
    dh: p.dilation[0],
    dw: p.dilation[1],
    // 0: no override (PyTorch treats divisor_override=0 as unset)
    D: p.divisorOverride ?? 0,
    cip: p.countIncludePad ? 1 : 0,
  };
}

/**
 * Source lines computing `<v>div`, the avgPool divisor of output (oh, ow) named by `oh`/`ow`
 * expressions: the override, else taps inside the padded input (countIncludePad) or inside the input.
 */
export function avgDivisorCode(oh: string, ow: string, v: string): string {
  return `let ${v}hv = 0;
let ${v}hp = 0;
for (let t = 0; t < this.constants.kH; t++) {
  const pos = ${oh} * this.constants.sh - this.constants.ph + t * this.constants.dh;
  if (pos >= 0 && pos < this.constants.H) { ${v}hv = ${v}hv + 1; }
  if (pos < this.constants.H + this.constants.ph) { ${v}hp = ${v}hp + 1; }
}
let ${v}wv = 0;
let ${v}wp = 0;
for (let t = 0; t < this.constants.kW; t++) {
  const pos = ${ow} * this.constants.sw - this.constants.pw + t * this.constants.dw;
  if (pos >= 0 && pos < this.constants.W) { ${v}wv = ${v}wv + 1; }
  if (pos < this.constants.W + this.constants.pw) { ${v}wp = ${v}wp + 1; }
}
let ${v}div = ${v}hv * ${v}wv;
if (this.constants.cip > 0) { ${v}div = ${v}hp * ${v}wp; }
if (this.constants.D != 0) { ${v}div = this.constants.D; }
`;
}
