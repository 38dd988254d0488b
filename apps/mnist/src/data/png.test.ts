import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findIdxPair, loadIdxPair } from './idx.js';
import {
  DigitImageError,
  analyseDigitPng,
  centreDigit,
  decodePngGray,
  digitFromPngBytes,
  encodeGrayPng,
  isolateDigit,
  loadDigitPng,
  normaliseInk,
  writeGrayPng,
} from './png.js';
import { writeSamplePngs } from './samples.js';
import type { ImageSet } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'flint-png-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let test: ImageSet;
beforeAll(() => {
  const pair = findIdxPair('/work/shared/datasets/mnist', 't10k')!;
  test = loadIdxPair(pair.images, pair.labels);
});
const digit = (n: number) => test.images.subarray(n * 784, (n + 1) * 784);

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0,
    mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= a.length;
  mb /= b.length;
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! - ma,
      y = b[i]! - mb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** Draws test digit n scaled by f (nearest or bilinear) as an RGB PNG: dark blue ink on cream paper. */
function upscaledRgb(n: number, f: number, smooth: boolean, canvas = { w: 28 * f, h: 28 * f, x: 0, y: 0 }): Buffer {
  const src = digit(n);
  const png = new PNG({ width: canvas.w, height: canvas.h, colorType: 2 });
  for (let y = 0; y < canvas.h; y++) {
    for (let x = 0; x < canvas.w; x++) {
      const u = x - canvas.x,
        w = y - canvas.y;
      let v = 0;
      if (u >= 0 && u < 28 * f && w >= 0 && w < 28 * f) {
        if (!smooth) v = src[Math.floor(w / f) * 28 + Math.floor(u / f)]!;
        else {
          const fy = Math.min(27, Math.max(0, (w + 0.5) / f - 0.5)),
            fx = Math.min(27, Math.max(0, (u + 0.5) / f - 0.5));
          const y0 = Math.floor(fy),
            x0 = Math.floor(fx),
            y1 = Math.min(27, y0 + 1),
            x1 = Math.min(27, x0 + 1);
          const ty = fy - y0,
            tx = fx - x0;
          v =
            (1 - ty) * ((1 - tx) * src[y0 * 28 + x0]! + tx * src[y0 * 28 + x1]!) +
            ty * ((1 - tx) * src[y1 * 28 + x0]! + tx * src[y1 * 28 + x1]!);
        }
      }
      const o = 4 * (y * canvas.w + x);
      png.data[o] = Math.round(245 * (1 - v) + 20 * v);
      png.data[o + 1] = Math.round(240 * (1 - v) + 30 * v);
      png.data[o + 2] = Math.round(230 * (1 - v) + 60 * v);
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}

describe('loadDigitPng', () => {
  it('round-trips real test-set digits through a 28x28 PNG almost exactly', () => {
    // Measured over the first 2,000 test digits: 90% come back bit-exact, the rest differ by at most
    // 2/255 (digits whose brightest pixel is below 255 get their contrast stretched to 1).
    let exact = 0;
    for (let n = 0; n < 300; n++) {
      const out = digitFromPngBytes(encodeGrayPng(digit(n), 28, 28), `digit-${n}.png`);
      const d = maxAbsDiff(out, digit(n));
      expect(d).toBeLessThanOrEqual(2 / 255 + 1e-6);
      if (d < 1e-6) exact++;
    }
    expect(exact).toBeGreaterThanOrEqual(255);
    const file = join(dir, 'seven.png');
    writeGrayPng(file, digit(0));
    expect(maxAbsDiff(loadDigitPng(file), digit(0))).toBeLessThanOrEqual(2 / 255 + 1e-6);
  });

  it('a 280x280 RGB dark-on-light version is inverted, shrunk and centred back to the original', () => {
    // Nearest-neighbour 10x: the box filter undoes it exactly (up to 8-bit colour rounding).
    for (const n of [0, 1, 2, 3, 4]) {
      const out = digitFromPngBytes(upscaledRgb(n, 10, false), 'big.png');
      expect(correlation(out, digit(n))).toBeGreaterThan(0.9999);
    }
    // Bilinear 10x (a soft halo widens the bounding box ~5%): measured min 0.912, mean 0.955 on these 20.
    const cs: number[] = [];
    for (let n = 0; n < 20; n++) cs.push(correlation(digitFromPngBytes(upscaledRgb(n, 10, true), 'big.png'), digit(n)));
    expect(Math.min(...cs)).toBeGreaterThan(0.9);
    expect(cs.reduce((a, b) => a + b) / cs.length).toBeGreaterThan(0.945);
    const file = join(dir, 'big-seven.png');
    writeFileSync(file, upscaledRgb(0, 10, true));
    expect(correlation(loadDigitPng(file), digit(0))).toBeGreaterThan(0.95);
  });

  it('finds and centres a digit drawn off-centre on a wide canvas', () => {
    const png = upscaledRgb(2, 5, false, { w: 300, h: 200, x: 7, y: 3 });
    expect(correlation(digitFromPngBytes(png, 'corner.png'), digit(2))).toBeGreaterThan(0.9999);
  });

  it('handles a transparent canvas drawing (black strokes, alpha = ink)', () => {
    const src = digit(3);
    const png = new PNG({ width: 56, height: 56, colorType: 6 });
    for (let i = 0; i < 56 * 56; i++) {
      const v = src[Math.floor(i / 56 / 2) * 28 + Math.floor((i % 56) / 2)]!;
      png.data.set([0, 0, 0, Math.round(v * 255)], 4 * i);
    }
    const out = digitFromPngBytes(PNG.sync.write(png), 'canvas.png');
    expect(correlation(out, src)).toBeGreaterThan(0.9999);
  });

  it('noise and specks around the digit do not shrink it (the box is taken after thresholding)', () => {
    // Test digits 0-49 on a 56x56 canvas, 1% of the pixels set to 0.2-0.6 (specks) and up to 0.08
    // added everywhere (sensor noise). Without the threshold the specks set the bounding box:
    // mean correlation 0.186 (measured); with it 0.943, the worst 0.668.
    let seed = 1;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const cs: number[] = [];
    for (let n = 0; n < 50; n++) {
      const canvas = new Float32Array(56 * 56);
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) canvas[(y + 14) * 56 + x + 14] = digit(n)[y * 28 + x]!;
      for (let i = 0; i < canvas.length; i++) if (rand() < 0.01) canvas[i] = Math.max(canvas[i]!, 0.2 + 0.4 * rand());
      for (let i = 0; i < canvas.length; i++) canvas[i] = Math.min(1, canvas[i]! + 0.08 * rand());
      cs.push(correlation(digitFromPngBytes(encodeGrayPng(canvas, 56, 56), 'noisy.png'), digit(n)));
    }
    expect(cs.reduce((a, b) => a + b) / cs.length).toBeGreaterThan(0.93);
    expect(Math.min(...cs)).toBeGreaterThan(0.6);
  });

  it('isolating the digit leaves 9,773 of the 10,000 real test digits unchanged', () => {
    let unchanged = 0;
    for (let n = 0; n < test.count; n++) {
      const img = normaliseInk(decodePngGray(encodeGrayPng(digit(n), 28, 28), 'd.png'));
      if (maxAbsDiff(centreDigit(isolateDigit(img)), centreDigit(img)) < 1e-6) unchanged++;
    }
    expect(unchanged).toBe(9773);
  });

  it('blank and low-contrast pictures are flagged; grey paper is read either way round', () => {
    const blank = analyseDigitPng(encodeGrayPng(new Float32Array(40 * 40).fill(0.7), 40, 40), 'grey.png');
    expect(blank.blank).toBe(true);
    expect(blank.warnings).toEqual([
      'blank image: the brightest ink differs from the background by 0.0% of the full range; there is no digit to classify',
    ]);
    // Digit 0 drawn 10% darker, then 10% lighter, than mid-grey paper.
    for (const sign of [-1, 1]) {
      const img = Float32Array.from(digit(0), (v) => 0.5 + sign * 0.1 * v);
      const r = analyseDigitPng(encodeGrayPng(img, 28, 28), 'faint.png');
      expect(r.blank).toBe(false);
      expect(r.contrast).toBeCloseTo(0.1, 1);
      expect(r.warnings[0]).toMatch(/^low contrast: the ink differs from the background by only (9\.[4-9]|10\.[0-4])%/);
      expect(correlation(r.pixels, digit(0))).toBeGreaterThan(0.99);
    }
    const dot = new Float32Array(28 * 28);
    dot[14 * 28 + 14] = 1;
    expect(analyseDigitPng(encodeGrayPng(dot, 28, 28), 'dot.png').warnings).toEqual([
      'almost blank: only 1 ink pixel(s) found (under 4); the prediction may be meaningless',
    ]);
    expect(analyseDigitPng(encodeGrayPng(digit(0), 28, 28), 'seven.png').warnings).toEqual([]);
  });

  it('a blank image gives zeros, not NaN', () => {
    const out = digitFromPngBytes(encodeGrayPng(new Float32Array(100 * 50).fill(1), 100, 50), 'white.png');
    expect(Array.from(out).every((v) => v === 0)).toBe(true);
    expect(centreDigit({ width: 3, height: 3, data: new Float32Array(9) }).length).toBe(784);
  });

  it('non-PNG, corrupt and missing files raise a clear error naming the file', () => {
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'this is not an image\n');
    expect(() => loadDigitPng(txt)).toThrow(`${txt}: not a PNG file (first bytes: 74 68 69 73 20 69 73 20;`);
    expect(() => loadDigitPng(txt)).toThrow(DigitImageError);
    const cut = join(dir, 'cut.png');
    const good = encodeGrayPng(digit(0), 28, 28);
    writeFileSync(cut, good.subarray(0, 40));
    expect(() => loadDigitPng(cut)).toThrow(`${cut}: corrupt or truncated PNG (40 bytes; the decoder says:`);
    // A small file declaring a huge image is refused before decoding.
    const bomb = Buffer.from(good);
    bomb.writeUInt32BE(30000, 16);
    bomb.writeUInt32BE(30000, 20);
    const big = join(dir, 'bomb.png');
    writeFileSync(big, bomb);
    expect(() => loadDigitPng(big)).toThrow(
      `${big}: the PNG declares 30000x30000 pixels (900 megapixels); digits are read up to 25 megapixels, so scale it down`,
    );
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, '');
    expect(() => loadDigitPng(empty)).toThrow(`${empty}: not a PNG file (first bytes: none, the file is empty`);
    expect(() => loadDigitPng(join(dir, 'absent.png'))).toThrow(
      `${join(dir, 'absent.png')}: cannot read the file (ENOENT)`,
    );
  });
});

describe('sample PNGs', () => {
  it('writeSamplePngs writes test-set digits that load back as those digits', () => {
    const out = join(dir, 'samples');
    const written = writeSamplePngs(out, [0, 7]);
    expect(written.map((s) => s.path.slice(out.length + 1))).toEqual(['digit-7-idx0.png', 'digit-9-idx7.png']);
    expect(maxAbsDiff(loadDigitPng(written[1]!.path), digit(7))).toBeLessThanOrEqual(2 / 255 + 1e-6);
    expect(() => writeSamplePngs(out, [10_000])).toThrow('sample index 10000 is outside the test set (0-9999)');
  });

  it('the committed samples in apps/mnist/samples are real test-set digits with the right labels', () => {
    const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
    const names = readdirSync(samples).filter((f) => f.endsWith('.png'));
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      const [, label, index] = /^digit-(\d)-idx(\d+)\.png$/.exec(name)!.map(Number);
      expect(test.labels[index!]).toBe(label);
      expect(maxAbsDiff(loadDigitPng(join(samples, name)), digit(index!))).toBeLessThanOrEqual(2 / 255 + 1e-6);
    }
  });
});
