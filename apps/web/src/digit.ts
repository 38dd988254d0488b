/**
 * A drawing on the pad -> a 28x28 MNIST-style input, the way the CLI prepares PNGs
 * (apps/mnist/src/data/png.ts): the ink's bounding box scaled to fit 20x20 (aspect kept, area
 * averaged), placed so that its centre of mass sits on pixel (14, 14).
 */
const SIDE = 28;
const BOX = 20;
const CENTRE = 14;

/** Grayscale ink in [0, 1] from RGBA pixels (light strokes on a dark pad). */
export function inkFromRgba(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = rgba[4 * i]! / 255;
  return out;
}

/** Area-average the rectangle (x0, y0, sw, sh) of `src` down to dw x dh. */
function shrink(
  src: Float32Array,
  width: number,
  x0: number,
  y0: number,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
) {
  const out = new Float32Array(dw * dh);
  const sx = sw / dw;
  const sy = sh / dh;
  for (let j = 0; j < dh; j++) {
    const ya = y0 + j * sy;
    const yb = ya + sy;
    for (let i = 0; i < dw; i++) {
      const xa = x0 + i * sx;
      const xb = xa + sx;
      let sum = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          sum += wx * wy * src[y * width + x]!;
        }
      }
      out[j * dw + i] = sum / (sx * sy);
    }
  }
  return out;
}

/** The 28x28 input; all zeros when nothing is drawn. */
export function centreDigit(ink: Float32Array, width: number, height: number): Float32Array {
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const out = new Float32Array(SIDE * SIDE);
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  // The pad is much larger than 20x20, so the box is always shrunk (at most 1:1 for a dot).
  const scale = Math.min(1, BOX / Math.max(bw, bh));
  const dw = Math.max(1, Math.min(BOX, Math.round(bw * scale)));
  const dh = Math.max(1, Math.min(BOX, Math.round(bh * scale)));
  const box = shrink(ink, width, x0, y0, bw, bh, dw, dh);
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let j = 0; j < dh; j++) {
    for (let i = 0; i < dw; i++) {
      const v = box[j * dw + i]!;
      mass += v;
      mx += v * i;
      my += v * j;
    }
  }
  const ox = Math.round(CENTRE - mx / mass);
  const oy = Math.round(CENTRE - my / mass);
  for (let j = 0; j < dh; j++) {
    const y = oy + j;
    if (y < 0 || y >= SIDE) continue;
    for (let i = 0; i < dw; i++) {
      const x = ox + i;
      if (x >= 0 && x < SIDE) out[y * SIDE + x] = Math.min(1, box[j * dw + i]!);
    }
  }
  return out;
}
