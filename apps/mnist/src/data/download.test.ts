// Every request here goes to a server on 127.0.0.1 started by this file; no other address is used.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError, MNIST_FILES, downloadMnist, ensureFile } from './download.js';
import type { DownloadProgress, RemoteFile } from './download.js';
import { encodeIdx, loadIdxDir } from './idx.js';

type Behaviour = 'ok' | '404' | 'wrong-bytes' | 'truncate' | 'stall';

// Small but real (gzip IDX) stand-ins for the four MNIST files, under their real names.
const content = new Map<string, Buffer>();
{
  const px = (n: number) => Uint8Array.from({ length: n * 784 }, (_, i) => (i * 7) % 256);
  content.set('train-images-idx3-ubyte.gz', gzipSync(encodeIdx([6, 28, 28], px(6)), { level: 0 }));
  content.set('train-labels-idx1-ubyte.gz', gzipSync(encodeIdx([6], Uint8Array.from([5, 0, 4, 1, 9, 2]))));
  content.set('t10k-images-idx3-ubyte.gz', gzipSync(encodeIdx([3, 28, 28], px(3)), { level: 0 }));
  content.set('t10k-labels-idx1-ubyte.gz', gzipSync(encodeIdx([3], Uint8Array.from([7, 2, 1]))));
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const files: RemoteFile[] = MNIST_FILES.map((f) => ({ name: f.name, sha256: sha256(content.get(f.name)!) }));

const behaviour: Record<string, Behaviour> = {};
let requests: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    const [, mirror, name] = req.url!.split('/');
    const body = content.get(name!);
    const mode = behaviour[mirror!] ?? 'ok';
    if (!body || mode === '404') {
      res.writeHead(404).end('not found');
      return;
    }
    if (mode === 'wrong-bytes') {
      const bad = Buffer.from(body);
      bad[bad.length - 1]! ^= 0xff;
      res.writeHead(200, { 'content-length': bad.length }).end(bad);
      return;
    }
    if (mode === 'truncate' || mode === 'stall') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1));
      if (mode === 'truncate') setTimeout(() => res.destroy(), 20); // connection drops mid-body
      return; // 'stall': keep the connection open, send nothing more
    }
    res.writeHead(200, { 'content-length': body.length });
    // Two chunks so that progress is reported more than once.
    res.write(body.subarray(0, body.length >> 1));
    setTimeout(() => res.end(body.subarray(body.length >> 1)), 5);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let cacheDir: string;
const roots: string[] = [];
beforeEach(() => {
  cacheDir = join(mkdtempSync(join(tmpdir(), 'flint-dl-')), 'cache', 'mnist'); // nested: must be created
  roots.push(cacheDir);
  requests = [];
  for (const k of Object.keys(behaviour)) delete behaviour[k];
});
afterAll(() =>
  roots.forEach((r) => {
    rmSync(join(r, '..', '..'), { recursive: true, force: true });
  }),
);

const listing = () => readdirSync(cacheDir).sort();

describe('downloadMnist', () => {
  it('downloads, verifies and installs all four files', async () => {
    const logs: string[] = [];
    const { dir, files: got } = await downloadMnist({
      cacheDir,
      mirrors: [`${base}/a/`],
      files,
      onLog: (m) => logs.push(m),
    });
    expect(dir).toBe(cacheDir);
    expect(got.map((f) => [f.name, f.downloaded, f.url])).toEqual(
      files.map((f) => [f.name, true, `${base}/a/${f.name}`]),
    );
    expect(listing()).toEqual(files.map((f) => f.name).sort()); // no temp files left behind
    for (const f of files) expect(readFileSync(join(cacheDir, f.name)).equals(content.get(f.name)!)).toBe(true);
    const { train, test } = loadIdxDir(cacheDir);
    expect(Array.from(train.labels)).toEqual([5, 0, 4, 1, 9, 2]);
    expect(test.count).toBe(3);
    expect(logs).toEqual([]);
  });

  it('falls through to the next mirror when the first answers 404', async () => {
    behaviour.a = '404';
    const logs: string[] = [];
    const r = await ensureFile(cacheDir, files[3]!, {
      mirrors: [`${base}/a`, `${base}/b/`],
      onLog: (m) => logs.push(m),
    });
    expect(r).toMatchObject({ downloaded: true, url: `${base}/b/t10k-labels-idx1-ubyte.gz` });
    expect(requests).toEqual(['/a/t10k-labels-idx1-ubyte.gz', '/b/t10k-labels-idx1-ubyte.gz']);
    expect(logs).toEqual([`${base}/a/t10k-labels-idx1-ubyte.gz: HTTP 404 Not Found; trying the next mirror`]);
    expect(listing()).toEqual(['t10k-labels-idx1-ubyte.gz']);
  });

  it('a checksum mismatch on every mirror is an error naming each failure, and leaves no file', async () => {
    behaviour.a = 'wrong-bytes';
    behaviour.b = 'wrong-bytes';
    const err = await ensureFile(cacheDir, files[0]!, { mirrors: [`${base}/a/`, `${base}/b/`] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DownloadError);
    const msg = (err as DownloadError).message;
    expect(msg).toContain('could not download train-images-idx3-ubyte.gz: every mirror failed:');
    expect(msg).toContain(`${base}/a/train-images-idx3-ubyte.gz: SHA-256 mismatch: expected ${files[0]!.sha256}, got `);
    expect(msg).toContain(`${base}/b/train-images-idx3-ubyte.gz: SHA-256 mismatch`);
    expect((err as DownloadError).failures).toHaveLength(2);
    expect(listing()).toEqual([]);
  });

  it('MD5-only checksums are verified too', async () => {
    const md5 = createHash('md5').update(content.get(files[1]!.name)!).digest('hex');
    await expect(
      ensureFile(cacheDir, { name: files[1]!.name, md5 }, { mirrors: [`${base}/a/`] }),
    ).resolves.toMatchObject({ downloaded: true });
    const wrong = { name: files[3]!.name, md5: '0'.repeat(32) };
    await expect(ensureFile(cacheDir, wrong, { mirrors: [`${base}/a/`] })).rejects.toThrow(
      `MD5 mismatch: expected ${'0'.repeat(32)}`,
    );
    await expect(ensureFile(cacheDir, { name: files[2]!.name }, { mirrors: [`${base}/a/`] })).rejects.toThrow(
      'no checksum configured',
    );
    expect(listing()).toEqual([files[1]!.name]);
  });

  it('a response cut off mid-body leaves no partial file; the next mirror is used', async () => {
    behaviour.a = 'truncate';
    const err = await ensureFile(cacheDir, files[0]!, { mirrors: [`${base}/a/`] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    const size = content.get(files[0]!.name)!.length;
    expect((err as Error).message).toMatch(
      new RegExp(`a/train-images-idx3-ubyte\\.gz: download interrupted after \\d+ of ${size} bytes \\(terminated`),
    );
    expect(listing()).toEqual([]);
    const ok = await ensureFile(cacheDir, files[0]!, { mirrors: [`${base}/a/`, `${base}/b/`] });
    expect(ok.url).toBe(`${base}/b/train-images-idx3-ubyte.gz`);
    expect(listing()).toEqual([files[0]!.name]);
  });

  it('a stalled server times out and leaves no partial file', async () => {
    behaviour.a = 'stall';
    await expect(ensureFile(cacheDir, files[0]!, { mirrors: [`${base}/a/`], timeoutMs: 150 })).rejects.toThrow(
      `${base}/a/train-images-idx3-ubyte.gz: timed out (no data for 150 ms)`,
    );
    expect(listing()).toEqual([]);
  });

  it('makes no request for files already in the cache, and replaces a cached file that fails verification', async () => {
    await downloadMnist({ cacheDir, mirrors: [`${base}/a/`], files });
    requests = [];
    const again = await downloadMnist({ cacheDir, mirrors: [`${base}/a/`], files });
    expect(again.files.every((f) => !f.downloaded)).toBe(true);
    expect(requests).toEqual([]);
    writeFileSync(join(cacheDir, files[1]!.name), 'garbage');
    const logs: string[] = [];
    const fixed = await downloadMnist({ cacheDir, mirrors: [`${base}/a/`], files, onLog: (m) => logs.push(m) });
    expect(fixed.files.map((f) => f.downloaded)).toEqual([false, true, false, false]);
    expect(requests).toEqual([`/a/${files[1]!.name}`]);
    expect(logs[0]).toContain('cached file fails verification (SHA-256 mismatch');
    expect(readFileSync(join(cacheDir, files[1]!.name)).equals(content.get(files[1]!.name)!)).toBe(true);
  });

  it('reports progress: start, data chunks with growing byte counts, done', async () => {
    const events: DownloadProgress[] = [];
    const f = files[0]!;
    await ensureFile(cacheDir, f, { mirrors: [`${base}/a/`], onProgress: (p) => events.push({ ...p }) });
    const size = content.get(f.name)!.length;
    expect(events[0]).toEqual({ file: f.name, url: `${base}/a/${f.name}`, received: 0, total: size, phase: 'start' });
    const data = events.filter((e) => e.phase === 'data');
    expect(data.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < data.length; i++) expect(data[i]!.received).toBeGreaterThan(data[i - 1]!.received);
    expect(data.at(-1)!.received).toBe(size);
    expect(events.at(-1)).toMatchObject({ phase: 'done', received: size, total: size });
  });
});
