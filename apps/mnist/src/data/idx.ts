// Reader for the IDX format used by MNIST, Fashion-MNIST, KMNIST (and EMNIST/QMNIST):
//   bytes 0-1: zero; byte 2: element type (0x08 = unsigned byte); byte 3: number of dimensions;
//   then one big-endian uint32 per dimension; then the elements, row-major.
// Files may be gzip-compressed (detected by the 1f 8b magic, not by the file name).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ImageSet } from './types.js';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

const TYPE_NAMES: Record<number, string> = {
  8: 'unsigned byte',
  9: 'signed byte',
  11: 'short (16-bit)',
  12: 'int (32-bit)',
  13: 'float (32-bit)',
  14: 'double (64-bit)',
};

/** Every problem found in an IDX file; the message always starts with the file's name. */
export class IdxFormatError extends Error {
  override name = 'IdxFormatError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export interface IdxArray {
  /** Dimension sizes from the header. */
  dims: number[];
  /** The elements (unsigned bytes), exactly product(dims) of them. */
  data: Uint8Array;
}

const hex8 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips when the bytes are gzip, else returns them unchanged. `name` is used in errors. */
export function maybeGunzip(bytes: Uint8Array, name: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    throw new IdxFormatError(
      name,
      `corrupt gzip data (${(err as Error).message}); the file is ${bytes.length} bytes compressed - ` +
        'it may be truncated or not a gzip file; delete it and download it again',
    );
  }
}

/**
 * Parses an (uncompressed) IDX buffer of unsigned bytes. `expectedMagic` pins the element type and
 * the number of dimensions (0x00000803 = ubyte, 3 dims; 0x00000801 = ubyte, 1 dim).
 */
export function parseIdx(bytes: Uint8Array, name: string, expectedMagic?: number): IdxArray {
  if (bytes.length < 4) {
    throw new IdxFormatError(name, `too short for an IDX header: ${bytes.length} bytes (need at least 4)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = bytes[2]!;
  const ndim = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxFormatError(
      name,
      `not an IDX file: magic number ${hex8(magic)} should start with two zero bytes` +
        (expectedMagic !== undefined ? ` (expected ${hex8(expectedMagic)})` : ''),
    );
  }
  if (type !== 0x08) {
    const typeName = TYPE_NAMES[type] ?? 'unknown type';
    throw new IdxFormatError(
      name,
      `unsupported element type 0x${type.toString(16).padStart(2, '0')} (${typeName}) in magic ${hex8(magic)}; only unsigned byte (0x08) is supported`,
    );
  }
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    const want = expectedMagic & 0xff;
    const what =
      expectedMagic === IDX_IMAGES_MAGIC
        ? 'an images file'
        : expectedMagic === IDX_LABELS_MAGIC
          ? 'a labels file'
          : 'this file';
    throw new IdxFormatError(
      name,
      `wrong magic number ${hex8(magic)} (${ndim} dimensions); expected ${hex8(expectedMagic)} (${want} dimensions) for ${what}`,
    );
  }
  if (ndim === 0) throw new IdxFormatError(name, 'header declares 0 dimensions');
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new IdxFormatError(
      name,
      `truncated header: ${ndim} dimensions need ${headerBytes} header bytes, file has ${bytes.length}`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  // Dimensions after the first must be positive (a 0-row image is nonsense); the count may be 0.
  for (let i = 1; i < ndim; i++) {
    if (dims[i] === 0) throw new IdxFormatError(name, `dimension ${i} is 0 in header ${dims.join('x')}`);
  }
  const expected = dims.reduce((a, b) => a * b, 1);
  const found = bytes.length - headerBytes;
  const what = ndim === 1 ? 'labels' : ndim === 3 ? 'pixels' : 'elements';
  if (found < expected) {
    throw new IdxFormatError(
      name,
      `truncated: header says ${dims.join('x')} = ${expected} bytes of ${what}, found ${found} (byte offset ${headerBytes})`,
    );
  }
  if (found > expected) {
    throw new IdxFormatError(
      name,
      `${found - expected} unexpected trailing bytes: header says ${dims.join('x')} = ${expected} bytes of ${what}, found ${found} (byte offset ${headerBytes})`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count*rows*cols raw bytes 0..255. */
  pixels: Uint8Array;
}

/** Parses an IDX images file (magic 0x00000803), gzip or raw. */
export function parseIdxImages(fileBytes: Uint8Array, name: string): IdxImages {
  const { dims, data } = parseIdx(maybeGunzip(fileBytes, name), name, IDX_IMAGES_MAGIC);
  return { count: dims[0]!, rows: dims[1]!, cols: dims[2]!, pixels: data };
}

/** Parses an IDX labels file (magic 0x00000801), gzip or raw; every label must be < numClasses. */
export function parseIdxLabels(fileBytes: Uint8Array, name: string, numClasses = 10): Uint8Array {
  const { data } = parseIdx(maybeGunzip(fileBytes, name), name, IDX_LABELS_MAGIC);
  for (let i = 0; i < data.length; i++) {
    if (data[i]! >= numClasses) {
      throw new IdxFormatError(name, `label ${data[i]} at index ${i} is out of range 0-${numClasses - 1}`);
    }
  }
  return data;
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new IdxFormatError(path, `cannot read the file: ${e.code ?? ''} ${e.message}`.trim());
  }
}

export function readIdxImages(path: string): IdxImages {
  return parseIdxImages(readBytes(path), path);
}

export function readIdxLabels(path: string, numClasses = 10): Uint8Array {
  return parseIdxLabels(readBytes(path), path, numClasses);
}

/** Converts bytes 0..255 to floats in [0, 1]. */
export function bytesToUnit(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}

export interface LoadIdxPairOptions {
  /** Required image size; defaults to 28x28 (MNIST, Fashion-MNIST, KMNIST). */
  rows?: number;
  cols?: number;
  numClasses?: number;
}

/** Loads an images file and a labels file, checking that they agree, into an ImageSet. */
export function loadIdxPair(imagesPath: string, labelsPath: string, options: LoadIdxPairOptions = {}): ImageSet {
  const rows = options.rows ?? 28;
  const cols = options.cols ?? 28;
  const img = readIdxImages(imagesPath);
  const labels = readIdxLabels(labelsPath, options.numClasses ?? 10);
  const imgName = imagesPath;
  if (img.rows !== rows || img.cols !== cols) {
    throw new IdxFormatError(imgName, `images are ${img.rows}x${img.cols}, expected ${rows}x${cols}`);
  }
  if (img.count !== labels.length) {
    throw new IdxFormatError(
      imgName,
      `has ${img.count} images but ${labelsPath} has ${labels.length} labels; the counts must match`,
    );
  }
  return {
    images: bytesToUnit(img.pixels),
    labels: new Uint8Array(labels), // own copy, detached from the file buffer
    count: img.count,
    rows,
    cols,
    source: `${imagesPath} + ${labelsPath}`,
  };
}

/** The file-name variants the usual distributions use (torchvision/LeCun, Kaggle, raw or gzip). */
function candidates(split: 'train' | 't10k', kind: 'images' | 'labels'): string[] {
  const ndim = kind === 'images' ? 3 : 1;
  const stems = [`${split}-${kind}-idx${ndim}-ubyte`, `${split}-${kind}.idx${ndim}-ubyte`];
  return stems.flatMap((s) => [`${s}.gz`, s]);
}

/** Finds the images/labels files of a split in a directory; null when either is missing. */
export function findIdxPair(dir: string, split: 'train' | 't10k'): { images: string; labels: string } | null {
  const find = (kind: 'images' | 'labels') =>
    candidates(split, kind)
      .map((f) => join(dir, f))
      .find((p) => existsSync(p));
  const images = find('images');
  const labels = find('labels');
  return images && labels ? { images, labels } : null;
}

/** Describes which of the four IDX files a directory lacks (for error messages). */
export function missingIdxFiles(dir: string): string[] {
  const missing: string[] = [];
  for (const split of ['train', 't10k'] as const) {
    for (const kind of ['images', 'labels'] as const) {
      const names = candidates(split, kind);
      if (!names.some((f) => existsSync(join(dir, f)))) missing.push(names[0]!);
    }
  }
  return missing;
}

/** Loads train + test from a directory holding the four standard IDX files. */
export function loadIdxDir(dir: string, options: LoadIdxPairOptions = {}): { train: ImageSet; test: ImageSet } {
  const train = findIdxPair(dir, 'train');
  const test = findIdxPair(dir, 't10k');
  if (!train || !test) {
    throw new Error(`${dir}: not an IDX data directory: missing ${missingIdxFiles(dir).join(', ')} (raw or .gz)`);
  }
  return {
    train: loadIdxPair(train.images, train.labels, options),
    test: loadIdxPair(test.images, test.labels, options),
  };
}

/** Builds an IDX byte buffer (used by tests and by anyone writing IDX files). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x00000800 | dims.length, false);
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}
