// MNIST-style preparation of a digit picture, with no Node or decoder imports so that the browser
// page (apps/web) prepares its drawings exactly as the CLI prepares PNGs. The recipe is the one
// LeCun et al. describe for MNIST: the digit's bounding box is size-normalised to fit a 20x20 box
// (aspect ratio kept, anti-aliased), then placed in a 28x28 image so that its centre of mass is at
// the centre. (On the real test set, every image's centre of mass rounds to pixel (14, 14), and
// 9,997 of the 10,000 have a bounding box whose longer side is exactly 20, so a real MNIST digit
// comes back unchanged.) Before the bounding box is taken, pixels that are not part of the digit
// (sensor noise, specks, dust) are removed by isolateDigit, so they cannot widen the box and shrink
// the digit.

export const MNIST_SIDE = 28;
export const MNIST_BOX = 20;
/** The pixel (column, row) an MNIST digit's centre of mass sits at, in 0-based pixel indices. */
export const MNIST_CENTRE = 14;

/** A grayscale image, values in [0, 1]. */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

function borderValues(img: GrayImage): number[] {
  const { width: w, height: h, data } = img;
  const vals: number[] = [];
  for (let x = 0; x < w; x++) {
    vals.push(data[x]!);
    if (h > 1) vals.push(data[(h - 1) * w + x]!);
  }
  for (let y = 1; y < h - 1; y++) {
    vals.push(data[y * w]!);
    if (w > 1) vals.push(data[y * w + w - 1]!);
  }
  return vals;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** A normalised image plus how far its ink stood out from the background before the stretch. */
export interface InkImage extends GrayImage {
  /** Brightest ink minus the background level, in [0, 1] of the original image's range. */
  contrast: number;
}

/**
 * Makes the digit light-on-dark with background 0 and ink up to 1: inverts dark-on-light images
 * (judged by the border, which is background in any sensible digit picture: the ink is whichever
 * extreme lies further from it, so grey paper works too), then maps the background noise level
 * (95th percentile of the border) to 0 and the brightest pixel to 1.
 */
export function normaliseInk(img: GrayImage): InkImage {
  const border = borderValues(img);
  const mean = border.reduce((a, b) => a + b, 0) / border.length;
  let lo = 1;
  let top = 0;
  for (const v of img.data) {
    if (v < lo) lo = v;
    if (v > top) top = v;
  }
  const darkInk = mean - lo > top - mean;
  const data = new Float32Array(img.data);
  if (darkInk) for (let i = 0; i < data.length; i++) data[i] = 1 - data[i]!;
  const sortedBorder = (darkInk ? border.map((v) => 1 - v) : border).sort((a, b) => a - b);
  const floor = quantile(sortedBorder, 0.95);
  let hi = 0;
  for (const v of data) if (v > hi) hi = v;
  const range = hi - floor;
  for (let i = 0; i < data.length; i++) {
    data[i] = range > 1e-6 ? Math.min(1, Math.max(0, (data[i]! - floor) / range)) : 0;
  }
  return { width: img.width, height: img.height, data, contrast: Math.max(0, range) };
}

/** Pixels at least this bright (after normaliseInk: background 0, brightest ink 1) are surely ink. */
export const INK_THRESHOLD = 0.5;
/** Fainter pixels join the digit when they connect to sure ink through pixels at least this bright. */
const STROKE_THRESHOLD = 0.1;
/** A stroke whose ink is below this fraction of the largest stroke's is a speck, not part of the digit. */
const MIN_STROKE_FRACTION = 0.05;

/**
 * Keeps only the digit: hysteresis thresholding (8-connected strokes seeded by pixels >=
 * INK_THRESHOLD and grown through pixels >= STROKE_THRESHOLD), strokes with less than
 * MIN_STROKE_FRACTION of the largest stroke's ink dropped, then the faint anti-aliased edge
 * connected to the kept strokes put back. Everything else becomes 0. Of the 10,000 real MNIST
 * test digits this leaves 9,773 exactly as they are; the rest lose specks that NIST's scans
 * carried (all 227 in the test set's second half, written by other writers than the first).
 */
export function isolateDigit(img: GrayImage): GrayImage & { inkPixels: number } {
  const { width: w, height: h, data } = img;
  const stroke = new Int32Array(w * h).fill(-1);
  const strokes: { ink: number; pixels: number[] }[] = [];
  for (let seed = 0; seed < w * h; seed++) {
    if (data[seed]! < INK_THRESHOLD || stroke[seed]! >= 0) continue;
    const id = strokes.length;
    const pixels: number[] = [];
    let ink = 0;
    const todo = [seed];
    stroke[seed] = id;
    while (todo.length > 0) {
      const p = todo.pop()!;
      pixels.push(p);
      ink += data[p]!;
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (stroke[q]! >= 0 || data[q]! < STROKE_THRESHOLD) continue;
          stroke[q] = id;
          todo.push(q);
        }
      }
    }
    strokes.push({ ink, pixels });
  }
  const out = new Float32Array(w * h);
  const largest = strokes.reduce((m, s) => Math.max(m, s.ink), 0);
  const keep = new Uint8Array(w * h);
  let inkPixels = 0;
  for (const s of strokes) {
    if (s.ink < MIN_STROKE_FRACTION * largest) continue;
    for (const p of s.pixels) {
      keep[p] = 1;
      if (data[p]! >= INK_THRESHOLD) inkPixels++;
    }
  }
  // The anti-aliased edge: every nonzero pixel connected to a kept stroke (flood fill), so the
  // faint rim survives at any resolution.
  const todo: number[] = [];
  for (let p = 0; p < w * h; p++) if (keep[p] === 1) todo.push(p);
  while (todo.length > 0) {
    const p = todo.pop()!;
    out[p] = data[p]!;
    const x = p % w;
    const y = (p - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const q = ny * w + nx;
        if (keep[q] === 1 || data[q]! <= 0) continue;
        keep[q] = 1;
        todo.push(q);
      }
    }
  }
  return { width: w, height: h, data: out, inkPixels };
}

/**
 * Resamples the rectangle [x0, x0+sw) x [y0, y0+sh) of `src` to dw x dh. Shrinking averages the
 * covered source area exactly (box filter with fractional coverage); enlarging interpolates bilinearly.
 */
function resample(
  src: GrayImage,
  x0: number,
  y0: number,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
): Float32Array {
  const out = new Float32Array(dw * dh);
  const sx = sw / dw;
  const sy = sh / dh;
  const at = (x: number, y: number) => src.data[y * src.width + x]!;
  if (sx >= 1 && sy >= 1) {
    for (let j = 0; j < dh; j++) {
      const ya = y0 + j * sy,
        yb = ya + sy;
      for (let i = 0; i < dw; i++) {
        const xa = x0 + i * sx,
          xb = xa + sx;
        let sum = 0;
        for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
          const wy = Math.min(yb, y + 1) - Math.max(ya, y);
          for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
            const wx = Math.min(xb, x + 1) - Math.max(xa, x);
            sum += wx * wy * at(x, y);
          }
        }
        out[j * dw + i] = sum / (sx * sy);
      }
    }
    return out;
  }
  for (let j = 0; j < dh; j++) {
    const fy = Math.min(Math.max(y0 + (j + 0.5) * sy - 0.5, y0), y0 + sh - 1);
    const ya = Math.floor(fy),
      yb = Math.min(ya + 1, y0 + sh - 1),
      ty = fy - ya;
    for (let i = 0; i < dw; i++) {
      const fx = Math.min(Math.max(x0 + (i + 0.5) * sx - 0.5, x0), x0 + sw - 1);
      const xa = Math.floor(fx),
        xb = Math.min(xa + 1, x0 + sw - 1),
        tx = fx - xa;
      out[j * dw + i] =
        (1 - ty) * ((1 - tx) * at(xa, ya) + tx * at(xb, ya)) + ty * ((1 - tx) * at(xa, yb) + tx * at(xb, yb));
    }
  }
  return out;
}

/**
 * MNIST-style size and position normalisation of a light-on-dark image with background 0:
 * fit the bounding box of the nonzero pixels into 20x20 keeping the aspect ratio, then put it in
 * 28x28 with its centre of mass at pixel (14, 14). A blank image gives all zeros.
 */
export function centreDigit(img: GrayImage): Float32Array {
  const { width: w, height: h, data } = img;
  let x0 = w,
    x1 = -1,
    y0 = h,
    y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x]! > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = MNIST_BOX / Math.max(bw, bh);
  const dw = Math.max(1, Math.min(MNIST_BOX, Math.round(bw * scale)));
  const dh = Math.max(1, Math.min(MNIST_BOX, Math.round(bh * scale)));
  const box = resample(img, x0, y0, bw, bh, dw, dh);
  let mass = 0,
    mx = 0,
    my = 0;
  for (let j = 0; j < dh; j++) {
    for (let i = 0; i < dw; i++) {
      const v = box[j * dw + i]!;
      mass += v;
      mx += v * i;
      my += v * j;
    }
  }
  // Place the box so that its centre of mass lands on the centre pixel (integer shift, as MNIST did).
  const ox = mass > 0 ? Math.round(MNIST_CENTRE - mx / mass) : Math.floor((MNIST_SIDE - dw) / 2);
  const oy = mass > 0 ? Math.round(MNIST_CENTRE - my / mass) : Math.floor((MNIST_SIDE - dh) / 2);
  for (let j = 0; j < dh; j++) {
    const y = oy + j;
    if (y < 0 || y >= MNIST_SIDE) continue;
    for (let i = 0; i < dw; i++) {
      const x = ox + i;
      if (x < 0 || x >= MNIST_SIDE) continue;
      out[y * MNIST_SIDE + x] = box[j * dw + i]!;
    }
  }
  return out;
}

/** Below this contrast (ink vs background, of the full range) an image is blank: nothing to classify. */
export const BLANK_CONTRAST = 2 / 255;
/** Below this contrast the prediction comes with a warning. */
export const LOW_CONTRAST = 0.15;
/** Fewer sure-ink pixels than this: too little to be a digit. */
export const MIN_INK_PIXELS = 4;

/** A prepared digit and what was wrong with the picture, if anything. */
export interface DigitImage {
  /** Float32Array(784), MNIST layout. */
  pixels: Float32Array;
  contrast: number;
  /** Pixels of the digit at least INK_THRESHOLD bright after normalisation (in the original resolution). */
  inkPixels: number;
  /** No digit in the image: all zeros, do not classify. */
  blank: boolean;
  /** Why the result should not be trusted (blank, low contrast, almost no ink); empty for a good picture. */
  warnings: string[];
}

/** A grayscale picture -> the digit in MNIST layout (light digit on black, [0, 1], centred) with quality warnings. */
export function analyseDigit(image: GrayImage): DigitImage {
  const ink = normaliseInk(image);
  const digit = isolateDigit(ink);
  const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
  const warnings: string[] = [];
  const blank = ink.contrast < BLANK_CONTRAST || digit.inkPixels === 0;
  if (blank)
    warnings.push(
      `blank image: the brightest ink differs from the background by ${pct(ink.contrast)} of the full range; there is no digit to classify`,
    );
  else {
    if (ink.contrast < LOW_CONTRAST)
      warnings.push(
        `low contrast: the ink differs from the background by only ${pct(ink.contrast)} of the full range (under ${pct(LOW_CONTRAST)}); the prediction may be meaningless`,
      );
    if (digit.inkPixels < MIN_INK_PIXELS)
      warnings.push(
        `almost blank: only ${digit.inkPixels} ink pixel(s) found (under ${MIN_INK_PIXELS}); the prediction may be meaningless`,
      );
  }
  return {
    pixels: blank ? new Float32Array(MNIST_SIDE * MNIST_SIDE) : centreDigit(digit),
    contrast: ink.contrast,
    inkPixels: digit.inkPixels,
    blank,
    warnings,
  };
}
