/**
 * A drawing on the pad -> a 28x28 MNIST-style input, prepared by the very code the CLI runs on PNGs
 * (`@flint/mnist/digit`, which has no Node imports): ink normalised, specks dropped, the bounding box
 * fitted to 20x20 (aspect kept) and placed with its centre of mass on pixel (14, 14).
 */
import { analyseDigit } from '@flint/mnist/digit';

/** Grayscale ink in [0, 1] from RGBA pixels (light strokes on a dark pad). */
export function inkFromRgba(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = rgba[4 * i]! / 255;
  return out;
}

/** The 28x28 input; all zeros when nothing is drawn. */
export function centreDigit(ink: Float32Array, width: number, height: number): Float32Array {
  return analyseDigit({ width, height, data: ink }).pixels;
}
