// Download-on-demand for the four MNIST files, like torchvision's `MNIST(download=True)`:
// for each missing file try the mirrors in turn, stream to a temporary file in the cache directory,
// verify the checksum, and only then rename it into place. A file under its final name is
// therefore always complete and verified; an interrupted download leaves at most a `*.part` file,
// which is never mistaken for the real one (and which we delete ourselves on any error we see).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The standard public MNIST mirrors, in the order torchvision tries them. */
export const DEFAULT_MNIST_MIRRORS: readonly string[] = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'http://yann.lecun.com/exdb/mnist/',
];

export interface Checksum {
  /** Hex SHA-256 of the file as downloaded (the .gz). Preferred. */
  sha256?: string;
  /** Hex MD5; checked as well when given (torchvision publishes MD5s). */
  md5?: string;
}

export interface RemoteFile extends Checksum {
  /** File name, both on the mirror (appended to the mirror URL) and in the cache directory. */
  name: string;
  /** Expected size in bytes, used for progress when the server sends no Content-Length. */
  size?: number;
}

/**
 * The official MNIST files. The SHA-256 sums of the two test files were computed here from
 * /work/shared/datasets/mnist (their MD5s match torchvision's). The training files are not on
 * this machine: their SHA-256 sums are the widely published ones (e.g. TensorFlow Datasets'
 * url_checksums for mnist), and the MD5s are those torchvision's `MNIST.resources` publishes;
 * both are checked, so a mistake in either would make a download fail loudly, never pass silently.
 */
export const MNIST_FILES: readonly RemoteFile[] = [
  {
    name: 'train-images-idx3-ubyte.gz',
    size: 9_912_422,
    sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
  },
  {
    name: 'train-labels-idx1-ubyte.gz',
    size: 28_881,
    sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    md5: 'd53e105ee54ea40749a09fcbcd1e9432',
  },
  {
    name: 't10k-images-idx3-ubyte.gz',
    size: 1_648_877,
    sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    md5: '9fb629c4189551a2d022fa330f9573f3',
  },
  {
    name: 't10k-labels-idx1-ubyte.gz',
    size: 4_542,
    sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    md5: 'ec29112dd5afa0611ce80d1b7f02629c',
  },
];

/** ~/.cache/flint/mnist (or $XDG_CACHE_HOME/flint/mnist, or $FLINT_MNIST_CACHE_DIR). */
export function defaultMnistCacheDir(): string {
  if (process.env.FLINT_MNIST_CACHE_DIR) return process.env.FLINT_MNIST_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'flint', 'mnist');
}

export interface DownloadProgress {
  file: string;
  url: string;
  /** Bytes received so far for this attempt. */
  received: number;
  /** Expected total (Content-Length, else the known size), or undefined when unknown. */
  total: number | undefined;
  /** 'start' once per attempt, 'data' per chunk, 'done' after the file is verified and in place. */
  phase: 'start' | 'data' | 'done';
}

export interface DownloadOptions {
  /** Where the files live; created when missing. Default: defaultMnistCacheDir(). */
  cacheDir?: string;
  /** Base URLs tried in order; the file name is appended. Default: DEFAULT_MNIST_MIRRORS. */
  mirrors?: readonly string[];
  /** Files and checksums. Default: MNIST_FILES. */
  files?: readonly RemoteFile[];
  /** Gives up on a mirror when connecting, or any gap between received chunks, takes longer. Default 30 s. */
  timeoutMs?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** Human-readable notes ("mirror X failed: ..., trying next"). */
  onLog?: (message: string) => void;
  /** Re-hash files already in the cache before trusting them (default true; ~50 ms for all of MNIST). */
  verifyCached?: boolean;
}

export interface DownloadedFile {
  name: string;
  path: string;
  /** False when the file was already in the cache and no request was made. */
  downloaded: boolean;
  /** The URL it came from, when downloaded. */
  url?: string;
}

export interface MirrorFailure {
  url: string;
  reason: string;
}

export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    readonly file: string,
    readonly failures: MirrorFailure[],
  ) {
    super(
      `could not download ${file}: every mirror failed:\n` +
        failures.map((f) => `  - ${f.url}: ${f.reason}`).join('\n'),
    );
  }
}

interface Digests {
  sha256: string;
  md5: string;
}

async function hashFile(path: string): Promise<Digests> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(path)) {
    sha.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha256: sha.digest('hex'), md5: md5.digest('hex') };
}

/** Null when the digests match the expected checksum, else a description of the mismatch. */
function checksumProblem(got: Digests, want: Checksum): string | null {
  if (!want.sha256 && !want.md5)
    return 'no checksum configured for this file (refusing to trust an unverified download)';
  if (want.sha256 && got.sha256 !== want.sha256.toLowerCase()) {
    return `SHA-256 mismatch: expected ${want.sha256}, got ${got.sha256}`;
  }
  if (want.md5 && got.md5 !== want.md5.toLowerCase()) return `MD5 mismatch: expected ${want.md5}, got ${got.md5}`;
  return null;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

function joinUrl(base: string, name: string): string {
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}

/** Fetches one URL into `tmp`, hashing as it goes; throws a short reason on any failure. */
async function fetchTo(
  url: string,
  tmp: string,
  file: RemoteFile,
  timeoutMs: number,
  onProgress?: (p: DownloadProgress) => void,
): Promise<Digests & { received: number; total: number | undefined }> {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };
  arm();
  const out = createWriteStream(tmp, { flags: 'wx' });
  let writeError: Error | undefined;
  const closed = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', (e) => {
      writeError = e;
      reject(e);
    });
  });
  closed.catch(() => undefined); // awaited below; this only marks a write error as handled
  let received = 0;
  let total: number | undefined;
  try {
    const res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    if (!res.body) throw new Error('empty response body');
    const lengthHeader = res.headers.get('content-length');
    const contentLength = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    total = contentLength ?? file.size;
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    onProgress?.({ file: file.name, url, received, total, phase: 'start' });
    const reader = res.body.getReader();
    for (;;) {
      arm();
      const { done, value } = await reader.read();
      if (done) break;
      sha.update(value);
      md5.update(value);
      received += value.byteLength;
      if (!out.write(value)) {
        await new Promise<void>((resolve) => {
          out.once('drain', resolve);
          out.once('close', resolve);
        });
      }
      if (writeError) throw new Error(`cannot write ${tmp}: ${writeError.message}`);
      onProgress?.({ file: file.name, url, received, total, phase: 'data' });
    }
    if (contentLength !== undefined && received !== contentLength) {
      throw new Error(`response ended after ${received} of ${contentLength} bytes`);
    }
    out.end();
    await closed;
    return { sha256: sha.digest('hex'), md5: md5.digest('hex'), received, total };
  } catch (err) {
    out.destroy();
    await closed.catch(() => undefined);
    if (timedOut) throw new Error(`timed out (no data for ${timeoutMs} ms)`);
    const e = err as Error & { cause?: { message?: string; code?: string } };
    const cause = e.cause?.code ?? e.cause?.message;
    const reason = cause && !e.message.includes(cause) ? `${e.message}, ${cause}` : e.message;
    if (received > 0 && !writeError) {
      throw new Error(`download interrupted after ${received} of ${total ?? 'an unknown number of'} bytes (${reason})`);
    }
    throw new Error(reason);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ensures one file is in `dir`: returns at once (no request) when it is there and verifies;
 * else tries each mirror: download to a temp file, verify, rename into place.
 */
export async function ensureFile(
  dir: string,
  file: RemoteFile,
  options: DownloadOptions = {},
): Promise<DownloadedFile> {
  const dest = join(dir, file.name);
  const log = options.onLog ?? (() => undefined);
  if (await exists(dest)) {
    if (options.verifyCached === false) return { name: file.name, path: dest, downloaded: false };
    const problem = checksumProblem(await hashFile(dest), file);
    if (!problem) return { name: file.name, path: dest, downloaded: false };
    log(`${dest}: cached file fails verification (${problem}); downloading it again`);
  }
  await mkdir(dir, { recursive: true });
  const mirrors = options.mirrors ?? DEFAULT_MNIST_MIRRORS;
  const failures: MirrorFailure[] = [];
  for (const mirror of mirrors) {
    const url = joinUrl(mirror, file.name);
    const tmp = join(dir, `.${file.name}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
    try {
      const got = await fetchTo(url, tmp, file, options.timeoutMs ?? 30_000, options.onProgress);
      const problem = checksumProblem(got, file);
      if (problem) throw new Error(problem);
      await rename(tmp, dest);
      options.onProgress?.({ file: file.name, url, received: got.received, total: got.total, phase: 'done' });
      return { name: file.name, path: dest, downloaded: true, url };
    } catch (err) {
      await removeQuietly(tmp);
      const reason = (err as Error).message;
      failures.push({ url, reason });
      log(`${url}: ${reason}${failures.length < mirrors.length ? '; trying the next mirror' : ''}`);
    }
  }
  throw new DownloadError(file.name, failures);
}

/** Downloads whichever MNIST files are missing from the cache; returns where all four are. */
export async function downloadMnist(options: DownloadOptions = {}): Promise<{ dir: string; files: DownloadedFile[] }> {
  const dir = options.cacheDir ?? defaultMnistCacheDir();
  const files: DownloadedFile[] = [];
  for (const f of options.files ?? MNIST_FILES) files.push(await ensureFile(dir, f, options));
  return { dir, files };
}
