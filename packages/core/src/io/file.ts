/** safetensors files: atomic save, load (Node's fs). */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
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

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
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
 */
export async function save(stateDict: StateDictInput, path: string, metadata?: Metadata): Promise<void> {
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

/** save() with synchronous reads and writes (needs a backend that can read synchronously). */
export function saveSync(stateDict: StateDictInput, path: string, metadata?: Metadata): void {
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
 * and the byte offset of the problem.
 */
export function load(path: string, options: LoadOptions = {}): Record<string, Tensor> {
  return decodeSafetensors(new Uint8Array(readFileSync(path)), path, options);
}

/** load() with an asynchronous file read. */
export async function loadAsync(path: string, options: LoadOptions = {}): Promise<Record<string, Tensor>> {
  return decodeSafetensors(new Uint8Array(await readFile(path)), path, options);
}

/** The `__metadata__` of a safetensors file ({} when absent). */
export function loadMetadata(path: string): Metadata {
  return decodeMetadata(new Uint8Array(readFileSync(path)), path);
}
