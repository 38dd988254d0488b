/**
 * Padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad; 1-D and 2-D):
 * F.pad with a fixed padding and mode. An int pads every side; a list is F.pad's order
 * (left, right) or (left, right, top, bottom).
 */
import type { Tensor } from '../../tensor/tensor.js';
import { padWithMode, type PadMode } from '../../ops/pad-modes.js';
import { Module, pyFloat, reprValue } from '../module.js';

abstract class PadNd extends Module {
  readonly padding: number[];

  constructor(
    dims: 1 | 2,
    padding: number | readonly number[],
    readonly mode: PadMode,
    readonly value = 0,
  ) {
    super();
    const list = typeof padding === 'number' ? new Array<number>(2 * dims).fill(padding) : [...padding];
    if (list.length !== 2 * dims || !list.every((p) => Number.isInteger(p))) {
      throw new Error(
        `${this.constructor.name}: padding must be an integer or ${2 * dims} integers, got ${String(padding)}`,
      );
    }
    this.padding = list;
  }

  override forward(x: Tensor): Tensor {
    return padWithMode(x, this.padding, this.mode, this.value);
  }

  override extraRepr(): string {
    return this.mode === 'constant' && !(this instanceof ZeroPad1d || this instanceof ZeroPad2d)
      ? `padding=${reprValue(this.padding)}, value=${pyFloat(this.value)}`
      : reprValue(this.padding);
  }
}

type Pad1 = number | readonly [number, number];
type Pad2 = number | readonly [number, number, number, number];

/** Zeros on both ends of the last dim. */
export class ZeroPad1d extends PadNd {
  constructor(padding: Pad1) {
    super(1, padding, 'constant', 0);
  }
}
/** Zeros around the last two dims. */
export class ZeroPad2d extends PadNd {
  constructor(padding: Pad2) {
    super(2, padding, 'constant', 0);
  }
}
/** `value` on both ends of the last dim. */
export class ConstantPad1d extends PadNd {
  constructor(padding: Pad1, value: number) {
    super(1, padding, 'constant', value);
  }
}
/** `value` around the last two dims. */
export class ConstantPad2d extends PadNd {
  constructor(padding: Pad2, value: number) {
    super(2, padding, 'constant', value);
  }
}
/** Mirror of the last dim without repeating the edge: [a b c] padded by 2 -> [c b a b c b a]. */
export class ReflectionPad1d extends PadNd {
  constructor(padding: Pad1) {
    super(1, padding, 'reflect');
  }
}
/** Mirror of the last two dims without repeating the edge. */
export class ReflectionPad2d extends PadNd {
  constructor(padding: Pad2) {
    super(2, padding, 'reflect');
  }
}
/** Repeats the edge values of the last dim. */
export class ReplicationPad1d extends PadNd {
  constructor(padding: Pad1) {
    super(1, padding, 'replicate');
  }
}
/** Repeats the edge values of the last two dims. */
export class ReplicationPad2d extends PadNd {
  constructor(padding: Pad2) {
    super(2, padding, 'replicate');
  }
}
/** Wraps the last dim around: the left pad comes from its end. */
export class CircularPad1d extends PadNd {
  constructor(padding: Pad1) {
    super(1, padding, 'circular');
  }
}
/** Wraps the last two dims around (a torus). */
export class CircularPad2d extends PadNd {
  constructor(padding: Pad2) {
    super(2, padding, 'circular');
  }
}
