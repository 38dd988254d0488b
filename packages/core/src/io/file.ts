/**
 * safetensors files. In Node: paths, with an atomic save (Node's fs). In browsers (and any runtime
 * without Node's fs): `load` takes bytes, `loadAsync` also Blobs/Files, URLs and fetch Responses,
 * and `save` downloads the file. Node's modules are reached at call time (platform.ts), so this
 * module bundles for a browser unchanged.
 */
import { isNode, requireNodeBuiltin } from '../platform.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  decodeMetadata,
  decodeSafetensors,
  serialize,
  serializeAsync,
  type LoadOptions,
  type Metadata,
  type StateDictInput,
} from './safetensors.js';

/** Bytes in any of the forms a browser hands out. */
export type SafetensorsBytes = Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * What loadAsync reads: a path (Node) or URL (browsers) as a string, a URL object (file: read from
 * disk in Node, anything else fetched), a Blob or File (a file picker, a drop), a fetch Response,
 * or the bytes themselves.
 */
export type SafetensorsSource = string | URL | Blob | Response | SafetensorsBytes;

const fs = (what: string) =>
  requireNodeBuiltin(
    'node:fs',
    `${what} needs Node's file system; in a browser load bytes with load(bytes), or a Blob, File or URL with await loadAsync(source)`,
  );
const fsp = () => requireNodeBuiltin('node:fs/promises', 'file I/O needs Node');
const pathApi = () => requireNodeBuiltin('node:path', 'paths need Node');

function toBytes(data: SafetensorsBytes): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function isBytes(value: unknown): value is SafetensorsBytes {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function browserPathError(api: string, path: string): Error {
  return new Error(
    `${api}('${path}'): a string is a file path, read with Node's fs, which this runtime lacks. In a browser use ` +
      `${api}(bytes), or await loadAsync(url | blob | file) (fetches the URL).`,
  );
}

function tempPathFor(target: string): string {
  const { join, dirname, basename } = pathApi();
  const hex = requireNodeBuiltin('node:crypto', 'temporary names need Node').randomBytes(6).toString('hex');
  return join(dirname(target), `.${basename(target)}.${process.pid}.${hex}.tmp`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

/**
 * Remove the temporary files (`.name.<pid>.<hex>.tmp`) that saves of `target` killed mid-write left
 * behind. Only files of processes that no longer run are removed: a live process may be writing
 * its file right now (this one included, with an async save in flight).
 */
function removeStaleTempFiles(target: string): void {
  const { readdirSync, rmSync } = fs('save');
  const { join, dirname, basename } = pathApi();
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return; // the directory is missing: the save reports that
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const owner = /^(\d+)\.[0-9a-f]{12}$/.exec(name.slice(prefix.length, -'.tmp'.length));
    if (owner === null) continue;
    const pid = Number(owner[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    try {
      rmSync(join(dirname(target), name), { force: true });
    } catch {
      // best effort: a file we cannot remove does not stop the save
    }
  }
}

function saveError(target: string, error: unknown): Error {
  return new Error(`save: could not write ${target}: ${(error as Error).message}`, { cause: error });
}

/**
 * Write a state dict to `path` as safetensors (loadable by `safetensors.torch.load_file`).
 * Atomic: the bytes go to a temporary file in the same directory, which is fsynced and renamed over
 * `path`. A failed save (a disposed tensor, an unwritable directory, a write error) leaves any
 * previous file at `path` as it was and no temporary file behind; temporary files of `path` left by
 * a process killed while saving are removed by the next save. Reads tensors asynchronously, so it
 * works on every backend.
 *
 * In a browser (no Node fs) it downloads the file, named after the last part of `path`. For the
 * bytes themselves use `serializeAsync`; for a Blob, `new Blob([await serializeAsync(sd)])`.
 */
export async function save(stateDict: StateDictInput, path: string, metadata?: Metadata): Promise<void> {
  if (!isNode) return download(await serializeAsync(stateDict, metadata), path);
  const { open, rename, rm } = fsp();
  const { resolve, dirname } = pathApi();
  const target = resolve(path);
  const bytes = await serializeAsync(stateDict, metadata);
  removeStaleTempFiles(target);
  const tmp = tempPathFor(target);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, 'wx');
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw saveError(target, error);
  }
  // Make the rename itself durable (best effort: not every platform can fsync a directory).
  try {
    const dir = await open(dirname(target), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // ignored
  }
}

/** The part of the DOM a download needs (core compiles without the DOM types). */
interface MinimalDocument {
  createElement(tag: 'a'): {
    href: string;
    download: string;
    style: { display: string };
    click(): void;
    remove(): void;
  };
  body: { appendChild(node: unknown): unknown };
}

/** Browsers: hand the bytes to the user as a download named after `path`'s last part. */
function download(bytes: Uint8Array, path: string): void {
  const doc = (globalThis as { document?: MinimalDocument }).document;
  if (doc === undefined || typeof URL.createObjectURL !== 'function') {
    throw new Error(
      `save('${path}'): no Node file system and no document to download from (a worker?): use serializeAsync(stateDict) for the bytes.`,
    );
  }
  const name = path.split(/[\\/]/).pop() || 'model.safetensors';
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // The click has started the download; free the bytes once the browser has taken them.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** save() with synchronous reads and writes (needs a backend that can read synchronously; Node only). */
export function saveSync(stateDict: StateDictInput, path: string, metadata?: Metadata): void {
  const { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } = fs('saveSync');
  const { resolve, dirname } = pathApi();
  const target = resolve(path);
  const bytes = serialize(stateDict, metadata);
  removeStaleTempFiles(target);
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing
      }
    }
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was created (e.g. the directory does not exist)
    }
    throw saveError(target, error);
  }
  try {
    const dir = openSync(dirname(target), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // ignored
  }
}

/**
 * Read a safetensors file into a state dict (name -> Tensor, uploaded to `options.device`).
 * F32/F64/F16/BF16 become float32, I32/I64/I16/I8/U16/U8 int32, BOOL bool. Errors name the file
 * and the byte offset of the problem. `source` is a path (Node) or the file's bytes (anywhere).
 */
export function load(source: string | SafetensorsBytes, options: LoadOptions = {}): Record<string, Tensor> {
  if (isBytes(source)) return decodeSafetensors(toBytes(source), '<bytes>', options);
  if (!isNode) throw browserPathError('load', source);
  return decodeSafetensors(new Uint8Array(fs('load').readFileSync(source)), source, options);
}

/**
 * load() reading asynchronously, from any SafetensorsSource: in Node a string is a path; in a
 * browser it is a URL (relative to the page) and is fetched. A failed fetch names the URL and the
 * HTTP status.
 */
export async function loadAsync(source: SafetensorsSource, options: LoadOptions = {}): Promise<Record<string, Tensor>> {
  const { bytes, name } = await readSource(source);
  return decodeSafetensors(bytes, name, options);
}

/** The `__metadata__` of a safetensors file ({} when absent): a path (Node) or the bytes. */
export function loadMetadata(source: string | SafetensorsBytes): Metadata {
  if (isBytes(source)) return decodeMetadata(toBytes(source), '<bytes>');
  if (!isNode) throw browserPathError('loadMetadata', source);
  return decodeMetadata(new Uint8Array(fs('loadMetadata').readFileSync(source)), source);
}

async function readSource(source: SafetensorsSource): Promise<{ bytes: Uint8Array; name: string }> {
  if (isBytes(source)) return { bytes: toBytes(source), name: '<bytes>' };
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const name = typeof File !== 'undefined' && source instanceof File ? source.name : '<Blob>';
    return { bytes: new Uint8Array(await source.arrayBuffer()), name };
  }
  if (typeof Response !== 'undefined' && source instanceof Response)
    return fromResponse(source, source.url || '<Response>');
  if (typeof source === 'string' && isNode) {
    return { bytes: new Uint8Array(await fsp().readFile(source)), name: source };
  }
  const url = source instanceof URL ? source : new URL(String(source), pageBase());
  if (url.protocol === 'file:' && isNode) {
    const path = requireNodeBuiltin('node:url', 'file URLs need Node').fileURLToPath(url);
    return { bytes: new Uint8Array(await fsp().readFile(path)), name: path };
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`loadAsync: could not fetch ${url.href}: ${(error as Error).message}`, { cause: error });
  }
  return fromResponse(response, url.href);
}

async function fromResponse(response: Response, name: string): Promise<{ bytes: Uint8Array; name: string }> {
  if (!response.ok)
    throw new Error(`loadAsync: could not fetch ${name}: HTTP ${response.status} ${response.statusText}`);
  return { bytes: new Uint8Array(await response.arrayBuffer()), name };
}

/** Relative URLs resolve against the page (or worker) location. */
function pageBase(): string | undefined {
  return (globalThis as { location?: { href: string } }).location?.href;
}
