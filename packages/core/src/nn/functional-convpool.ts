/**
 * nn.functional's convolution, pooling, resizing and folding forms beyond conv2d/maxPool2d/avgPool2d
 * (re-exported by functional.ts): each is a composition of existing kernels, in core/src/ops.
 */
export {
  conv1d,
  convTranspose1d,
  convTranspose2d,
  type Conv1dOptions,
  type ConvTranspose1dOptions,
  type ConvTranspose2dOptions,
} from '../ops/conv-transpose.js';
export {
  maxPool1d,
  maxPool1dWithIndices,
  avgPool1d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool1dWithIndices,
  adaptiveMaxPool2d,
  adaptiveMaxPool2dWithIndices,
  type MaxPool1dOptions,
  type AvgPool1dOptions,
  type AdaptiveSize1,
  type AdaptiveSize2,
} from '../ops/pooling.js';
export {
  interpolate,
  pixelShuffle,
  pixelUnshuffle,
  type InterpolateMode,
  type InterpolateOptions,
} from '../ops/resize.js';
export { unfold, fold, type UnfoldOptions } from '../ops/fold.js';
export type { PadMode } from '../ops/pad-modes.js';
