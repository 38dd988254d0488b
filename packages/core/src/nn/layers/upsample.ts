/** Upsample (F.interpolate as a module), UpsamplingNearest2d/UpsamplingBilinear2d, PixelShuffle/PixelUnshuffle. */
import type { Tensor } from '../../tensor/tensor.js';
import { interpolate, pixelShuffle, pixelUnshuffle, type InterpolateMode } from '../../ops/resize.js';
import { Module, pyFloat, reprValue } from '../module.js';

export interface UpsampleOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  /** Default 'nearest'. */
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

/** Resizes [N, C, L] or [N, C, H, W] to `size`, or by `scaleFactor` (PyTorch's nn.Upsample). */
export class Upsample extends Module {
  readonly size: number | readonly number[] | null;
  readonly scaleFactor: number | readonly number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;

  constructor(options: UpsampleOptions = {}) {
    super();
    this.size = options.size ?? null;
    this.scaleFactor = options.scaleFactor ?? null;
    this.mode = options.mode ?? 'nearest';
    this.alignCorners = options.alignCorners ?? null;
    this.recomputeScaleFactor = options.recomputeScaleFactor ?? null;
  }

  override forward(x: Tensor): Tensor {
    return interpolate(x, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }

  override extraRepr(): string {
    // PyTorch stores scale factors as floats (2 prints as 2.0).
    const floats = (v: number | readonly number[]) =>
      typeof v === 'number' ? pyFloat(v) : `(${v.map(pyFloat).join(', ')})`;
    const what =
      this.scaleFactor !== null ? `scale_factor=${floats(this.scaleFactor)}` : `size=${reprValue(this.size)}`;
    return `${what}, mode=${this.mode}`;
  }
}

/** Upsample with mode 'nearest'. */
export class UpsamplingNearest2d extends Upsample {
  constructor(
    options: { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null } = {},
  ) {
    super({ ...options, mode: 'nearest' });
  }
}

/** Upsample with mode 'bilinear' and alignCorners true (as PyTorch's UpsamplingBilinear2d). */
export class UpsamplingBilinear2d extends Upsample {
  constructor(
    options: { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null } = {},
  ) {
    super({ ...options, mode: 'bilinear', alignCorners: true });
  }
}

/** [*, C r^2, H, W] -> [*, C, H r, W r]. */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }

  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/** [*, C, H r, W r] -> [*, C r^2, H, W]. */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.downscaleFactor);
  }

  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}
