import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IdxFormatError,
  encodeIdx,
  findIdxPair,
  loadIdxDir,
  loadIdxPair,
  parseIdxImages,
  parseIdxLabels,
  readIdxImages,
  readIdxLabels,
} from './idx.js';

const dir = mkdtempSync(join(tmpdir(), 'flint-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeImages(count: number, rows = 28, cols = 28): Uint8Array {
  const px = new Uint8Array(count * rows * cols);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37) % 256;
  return encodeIdx([count, rows, cols], px);
}
const fakeLabels = (labels: number[]) => encodeIdx([labels.length], Uint8Array.from(labels));

describe('parseIdx', () => {
  it('parses raw and gzipped images identically (gzip detected by magic, not name)', () => {
    const raw = fakeImages(3);
    const a = parseIdxImages(raw, 'a');
    const b = parseIdxImages(gzipSync(raw), 'b'); // no .gz in the name
    expect(a).toMatchObject({ count: 3, rows: 28, cols: 28 });
    expect(a.pixels.length).toBe(3 * 784);
    expect(a.pixels[785]).toBe((785 * 37) % 256);
    expect(Buffer.from(b.pixels).equals(Buffer.from(a.pixels))).toBe(true);
    expect(Array.from(parseIdxLabels(gzipSync(fakeLabels([3, 1, 4])), 'l'))).toEqual([3, 1, 4]);
  });

  it('names the file and the exact shortfall when truncated', () => {
    const big = fakeImages(10_000);
    expect(() => parseIdxImages(gzipSync(big.subarray(0, 16 + 12345)), 't10k-images-idx3-ubyte.gz')).toThrow(
      't10k-images-idx3-ubyte.gz: truncated: header says 10000x28x28 = 7840000 bytes of pixels, found 12345 (byte offset 16)',
    );
    const full = fakeImages(10);
    const short = full.subarray(0, 16 + 100);
    expect(() => parseIdxImages(gzipSync(short), 'x.gz')).toThrow(
      'x.gz: truncated: header says 10x28x28 = 7840 bytes of pixels, found 100 (byte offset 16)',
    );
    expect(() => parseIdxImages(full.subarray(0, 10), 'h')).toThrow(
      'h: truncated header: 3 dimensions need 16 header bytes, file has 10',
    );
    expect(() => parseIdxLabels(fakeLabels([1, 2, 3]).subarray(0, 9), 'l')).toThrow(
      'l: truncated: header says 3 = 3 bytes of labels, found 1 (byte offset 8)',
    );
  });

  it('rejects trailing bytes, wrong magic, wrong type, bad dimensions, bad labels, corrupt gzip', () => {
    const extra = new Uint8Array([...fakeLabels([1, 2]), 9, 9]);
    expect(() => parseIdxLabels(extra, 'l')).toThrow('l: 2 unexpected trailing bytes');
    // A labels file where images are expected, and vice versa.
    expect(() => parseIdxImages(fakeLabels([1]), 'train-labels-idx1-ubyte')).toThrow(
      'train-labels-idx1-ubyte: wrong magic number 0x00000801 (1 dimensions); expected 0x00000803 (3 dimensions) for an images file',
    );
    expect(() => parseIdxLabels(fakeImages(1), 'imgs')).toThrow('imgs: wrong magic number 0x00000803');
    const floats = fakeImages(1);
    floats[2] = 0x0d;
    expect(() => parseIdxImages(floats, 'f')).toThrow('f: unsupported element type 0x0d (float (32-bit))');
    const notIdx = new TextEncoder().encode('hello world, not an idx file');
    expect(() => parseIdxImages(notIdx, 'readme.txt')).toThrow('readme.txt: not an IDX file: magic number 0x68656c6c');
    expect(() => parseIdxImages(encodeIdx([1, 0, 28], new Uint8Array(0)), 'z')).toThrow(
      'z: dimension 1 is 0 in header 1x0x28',
    );
    expect(() => parseIdxLabels(fakeLabels([1, 12]), 'l')).toThrow('l: label 12 at index 1 is out of range 0-9');
    const gz = gzipSync(fakeImages(2));
    expect(() => parseIdxImages(gz.subarray(0, gz.length - 20), 'cut.gz')).toThrow(/^cut\.gz: corrupt gzip data/);
    const err = (() => {
      try {
        parseIdxImages(notIdx, 'n');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(IdxFormatError);
    expect((err as IdxFormatError).file).toBe('n');
  });
});

describe('files', () => {
  it('loads a pair into [0,1] floats and checks counts and image size', () => {
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(fakeImages(4)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), fakeLabels([0, 9, 5, 5]));
    writeFileSync(join(dir, 't10k-images.idx3-ubyte'), fakeImages(2)); // Kaggle-style name
    writeFileSync(join(dir, 't10k-labels.idx1-ubyte'), fakeLabels([1, 2, 3]));
    const pair = findIdxPair(dir, 'train')!;
    const set = loadIdxPair(pair.images, pair.labels);
    expect(set).toMatchObject({ count: 4, rows: 28, cols: 28 });
    expect(set.images).toBeInstanceOf(Float32Array);
    expect(set.images[1]).toBeCloseTo(37 / 255, 6);
    expect(Math.max(...set.images)).toBeLessThanOrEqual(1);
    expect(Array.from(set.labels)).toEqual([0, 9, 5, 5]);
    expect(() => loadIdxDir(dir)).toThrow(
      `${join(dir, 't10k-images.idx3-ubyte')}: has 2 images but ${join(dir, 't10k-labels.idx1-ubyte')} has 3 labels; the counts must match`,
    );
    writeFileSync(join(dir, 'small.idx'), fakeImages(1, 8, 8));
    expect(() => loadIdxPair(join(dir, 'small.idx'), pair.labels)).toThrow('small.idx: images are 8x8, expected 28x28');
    expect(() => readIdxImages(join(dir, 'nope.gz'))).toThrow(`${join(dir, 'nope.gz')}: cannot read the file: ENOENT`);
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect(() => loadIdxDir(empty)).toThrow(
      'not an IDX data directory: missing train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz',
    );
  });

  it('reads the real MNIST test set', () => {
    const pair = findIdxPair('/work/shared/datasets/mnist', 't10k')!;
    const test = loadIdxPair(pair.images, pair.labels);
    expect(test.count).toBe(10_000);
    expect(test.images.length).toBe(10_000 * 784);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('reads Fashion-MNIST (same format) from the Debian package', () => {
    const d = '/usr/share/datasets/fashion-mnist';
    const train = findIdxPair(d, 'train')!;
    const test = findIdxPair(d, 't10k')!;
    const imgs = readIdxImages(test.images);
    expect(imgs).toMatchObject({ count: 10_000, rows: 28, cols: 28 });
    const labels = readIdxLabels(train.labels);
    expect(labels.length).toBe(60_000);
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(6000));
  });
});
