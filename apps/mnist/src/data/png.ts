// PNG in/out for digits. loadDigitPng turns any PNG (grayscale, RGB, RGBA, palette; any size;
// light-on-dark or dark-on-light) into a 28x28 MNIST-style input: decodePngGray here, then
// analyseDigit (./digit.ts, shared with the browser page) for the MNIST recipe.
import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { analyseDigit, type DigitImage, type GrayImage, MNIST_SIDE } from './digit.js';

export * from './digit.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/**
 * Largest image decoded (width x height). A photo of a digit needs far fewer; the limit stops a
 * small file that declares a huge image (a 950 KB PNG of 30000x30000 took 105 s and 10.7 GB here).
 */
export const MAX_PNG_PIXELS = 25_000_000;

export class DigitImageError extends Error {
  override name = 'DigitImageError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** Decodes PNG bytes to grayscale in [0, 1] (alpha composited over a background that contrasts with the ink). */
export function decodePngGray(bytes: Uint8Array, name: string): GrayImage {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DigitImageError(
      name,
      `not a PNG file (first bytes: ${head || 'none, the file is empty'}; a PNG starts with 89 50 4e 47 0d 0a 1a 0a)`,
    );
  }
  // The first chunk is IHDR: width and height as big-endian uint32 at bytes 16 and 20.
  if (bytes.length >= 24) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const w = view.getUint32(16);
    const h = view.getUint32(20);
    if (w * h > MAX_PNG_PIXELS)
      throw new DigitImageError(
        name,
        `the PNG declares ${w}x${h} pixels (${((w * h) / 1e6).toFixed(0)} megapixels); digits are read up to ${MAX_PNG_PIXELS / 1e6} megapixels, so scale it down`,
      );
  }
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new DigitImageError(
      name,
      `corrupt or truncated PNG (${bytes.length} bytes; the decoder says: ${(err as Error).message})`,
    );
  }
  const { width, height, data } = png; // pngjs always yields 8-bit RGBA
  const n = width * height;
  if (n === 0) throw new DigitImageError(name, `PNG has no pixels (${width}x${height})`);
  const lum = new Float32Array(n);
  const alpha = new Float32Array(n);
  let opaque = true;
  let inkLum = 0;
  let inkWeight = 0;
  for (let i = 0; i < n; i++) {
    const r = data[4 * i]!,
      g = data[4 * i + 1]!,
      b = data[4 * i + 2]!,
      a = data[4 * i + 3]! / 255;
    lum[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255; // ITU-R BT.601 luma
    alpha[i] = a;
    if (a < 1) opaque = false;
    inkLum += lum[i]! * a;
    inkWeight += a;
  }
  const out = new Float32Array(n);
  if (opaque) {
    out.set(lum);
  } else {
    // Transparent background (e.g. a canvas drawing): composite over white when the visible
    // pixels are dark and over black when they are light, so the strokes stay visible.
    const bg = inkWeight > 0 && inkLum / inkWeight < 0.5 ? 1 : 0;
    for (let i = 0; i < n; i++) out[i] = lum[i]! * alpha[i]! + bg * (1 - alpha[i]!);
  }
  return { width, height, data: out };
}

/** PNG bytes -> the digit in MNIST layout (light digit on black, [0, 1], centred) with quality warnings. */
export function analyseDigitPng(bytes: Uint8Array, name: string): DigitImage {
  return analyseDigit(decodePngGray(bytes, name));
}

/** PNG bytes -> Float32Array(784) in MNIST layout (light digit on black, [0, 1], centred). */
export function digitFromPngBytes(bytes: Uint8Array, name: string): Float32Array {
  return analyseDigitPng(bytes, name).pixels;
}

/** Reads a PNG file of a handwritten digit and prepares it like an MNIST image (Float32Array(784)). */
export function loadDigitPng(path: string): Float32Array {
  return readDigitPng(path).pixels;
}

/** Reads a PNG file of a handwritten digit: the MNIST-style image and the quality warnings. */
export function readDigitPng(path: string): DigitImage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new DigitImageError(path, `cannot read the file (${e.code ?? e.message})`);
  }
  try {
    return analyseDigitPng(bytes, path);
  } catch (err) {
    if (err instanceof DigitImageError) throw err;
    throw new DigitImageError(path, (err as Error).message);
  }
}

/** Encodes a grayscale image with values in [0, 1] as an 8-bit grayscale PNG. */
export function encodeGrayPng(values: ArrayLike<number>, width: number, height: number): Buffer {
  if (values.length !== width * height) {
    throw new Error(`encodeGrayPng: ${values.length} values for a ${width}x${height} image`);
  }
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  const data = Buffer.alloc(width * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, values[i]!)) * 255);
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
}

/** Writes a 28x28 (or any size) grayscale image in [0, 1] to a PNG file. */
export function writeGrayPng(path: string, values: ArrayLike<number>, width = MNIST_SIDE, height = MNIST_SIDE): void {
  writeFileSync(path, encodeGrayPng(values, width, height));
}
