/**
 * Checkpoints: torch.save({'model': ..., 'optimizer': ..., 'scheduler': ..., 'epoch': ...})'s role.
 *
 * A checkpoint is a dictionary of state dicts and plain values. It is written as ONE safetensors
 * file (atomically, through save()/saveSync()): every tensor, wherever it sits in the dictionary,
 * becomes a safetensors entry named by its path (`model.fc1.weight`, `optimizer.state.0.exp_avg`,
 * `optimizer.state.0.old_dirs.3`), and the rest of the dictionary — numbers, strings, booleans,
 * null, arrays and plain objects, with each tensor replaced by a reference to its entry — goes as
 * JSON into the file's metadata under `flint.checkpoint`. So the model part is an ordinary
 * safetensors state dict for PyTorch (`load_file(path)` and strip the `model.` prefix).
 */
import { Tensor } from '../tensor/tensor.js';
import { requireNodeBuiltin } from '../platform.js';
import { decodeMetadata, decodeSafetensors, type LoadOptions, type Metadata } from './safetensors.js';
import { save, saveSync, type SafetensorsBytes } from './file.js';

/** A checkpoint as loaded: the saved dictionary with its tensors uploaded. */
export type Checkpoint = Record<string, unknown>;

/** The metadata key holding the dictionary's JSON skeleton. */
export const CHECKPOINT_METADATA_KEY = 'flint.checkpoint';
const FORMAT_VERSION = 1;
const TENSOR_REF = '__tensor__';
const NUMBER_REF = '__number__';

interface Encoded {
  tensors: Map<string, Tensor>;
  skeleton: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object' && v !== null) return `a ${(v as object).constructor?.name ?? 'object'}`;
  return typeof v;
}

/** Replace tensors by references and non-finite numbers by tagged strings; reject what JSON cannot hold. */
function encode(checkpoint: unknown): Encoded {
  const tensors = new Map<string, Tensor>();
  const seen = new Set<unknown>();
  const walk = (value: unknown, path: string[]): unknown => {
    const where = path.length === 0 ? 'the checkpoint' : `'${path.join('.')}'`;
    if (value instanceof Tensor) {
      if (value.isDisposed) throw new Error(`saveCheckpoint: the tensor at ${where} was disposed`);
      let name = path.join('.');
      // Keys containing dots can make two paths spell the same name: keep each entry distinct.
      for (let n = 1; tensors.has(name); n++) name = `${path.join('.')}#${n}`;
      tensors.set(name, value);
      return { [TENSOR_REF]: name };
    }
    if (typeof value === 'number') return Number.isFinite(value) ? value : { [NUMBER_REF]: String(value) };
    if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
    if (typeof value === 'object') {
      if (seen.has(value)) throw new Error(`saveCheckpoint: ${where} refers back to itself (a cycle)`);
      seen.add(value);
      try {
        if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)]));
        if (isPlainObject(value)) {
          const out: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(value)) {
            if (v === undefined) continue; // as JSON: an absent option
            if (k === TENSOR_REF || k === NUMBER_REF)
              throw new Error(`saveCheckpoint: key '${[...path, k].join('.')}' is reserved by the checkpoint format`);
            out[k] = walk(v, [...path, k]);
          }
          return out;
        }
      } finally {
        seen.delete(value);
      }
    }
    throw new Error(
      `saveCheckpoint: ${where} is ${describe(value)}; a checkpoint holds Tensors, numbers, strings, booleans, null, arrays and plain objects (call stateDict() on modules, optimizers and schedulers)`,
    );
  };
  if (!isPlainObject(checkpoint))
    throw new TypeError(
      `saveCheckpoint: expected a plain object { model, optimizer, ... }, got ${describe(checkpoint)}`,
    );
  const skeleton = walk(checkpoint, []);
  return { tensors, skeleton };
}

function metadataFor(skeleton: unknown): Metadata {
  return {
    format: 'flint.checkpoint',
    [CHECKPOINT_METADATA_KEY]: JSON.stringify({ version: FORMAT_VERSION, value: skeleton }),
  };
}

/**
 * Save a dictionary of state dicts and plain values to `path`, atomically (a temporary file,
 * fsynced and renamed over `path`: a failed save leaves any previous checkpoint as it was):
 *
 *   await saveCheckpoint({ model: model.stateDict(), optimizer: opt.stateDict(),
 *                          scheduler: sched.stateDict(), epoch }, 'ckpt.safetensors');
 *
 * Reads tensors asynchronously, so it works on every backend; in a browser it downloads the file.
 */
export async function saveCheckpoint(checkpoint: Record<string, unknown>, path: string): Promise<void> {
  const { tensors, skeleton } = encode(checkpoint);
  await save(tensors, path, metadataFor(skeleton));
}

/** saveCheckpoint with synchronous reads and writes (Node, a backend that reads synchronously). */
export function saveCheckpointSync(checkpoint: Record<string, unknown>, path: string): void {
  const { tensors, skeleton } = encode(checkpoint);
  saveSync(tensors, path, metadataFor(skeleton));
}

/**
 * Load a checkpoint written by saveCheckpoint (a path in Node, or the file's bytes anywhere): the
 * saved dictionary with every tensor uploaded to `options.device`. Hand its parts to their owners:
 *
 *   const ckpt = loadCheckpoint('ckpt.safetensors');
 *   model.loadStateDict(ckpt.model); opt.loadStateDict(ckpt.optimizer); sched.loadStateDict(ckpt.scheduler);
 *
 * A file that is not a checkpoint, or whose metadata and tensors disagree, is an error naming the
 * file and the key.
 */
export function loadCheckpoint(source: string | SafetensorsBytes, options: LoadOptions = {}): Checkpoint {
  const name = typeof source === 'string' ? source : '<bytes>';
  const bytes =
    typeof source === 'string'
      ? new Uint8Array(
          requireNodeBuiltin(
            'node:fs',
            `loadCheckpoint('${source}') needs Node's fs; in a browser pass the bytes`,
          ).readFileSync(source),
        )
      : source instanceof Uint8Array
        ? source
        : source instanceof ArrayBuffer
          ? new Uint8Array(source)
          : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  const metadata = decodeMetadata(bytes, name);
  const text = metadata[CHECKPOINT_METADATA_KEY];
  if (text === undefined) {
    throw new Error(
      `loadCheckpoint: ${name} is a safetensors file without '${CHECKPOINT_METADATA_KEY}' metadata (not written by saveCheckpoint); load a plain state dict with load()`,
    );
  }
  let parsed: { version?: unknown; value?: unknown };
  try {
    parsed = JSON.parse(text) as { version?: unknown; value?: unknown };
  } catch (error) {
    throw new Error(
      `loadCheckpoint: ${name}: metadata '${CHECKPOINT_METADATA_KEY}' is not valid JSON (${(error as Error).message})`,
    );
  }
  if (parsed.version !== FORMAT_VERSION)
    throw new Error(
      `loadCheckpoint: ${name}: checkpoint format version ${String(parsed.version)}, this Flint reads ${FORMAT_VERSION}`,
    );
  const tensors = decodeSafetensors(bytes, name, options);
  const used = new Set<string>();
  const fail = (path: string[], message: string): never => {
    for (const t of Object.values(tensors)) t.dispose();
    throw new Error(`loadCheckpoint: ${name}: '${path.join('.')}' ${message}`);
  };
  const walk = (value: unknown, path: string[]): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)]));
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === TENSOR_REF) {
        const ref = value[TENSOR_REF];
        if (typeof ref !== 'string' || !Object.hasOwn(tensors, ref))
          return fail(path, `refers to tensor ${JSON.stringify(ref)}, which the file does not contain`);
        used.add(ref);
        return tensors[ref];
      }
      if (keys.length === 1 && keys[0] === NUMBER_REF) {
        const n = Number(value[NUMBER_REF]);
        if (!Number.isNaN(n) || value[NUMBER_REF] === 'NaN') return n;
        return fail(path, `holds ${JSON.stringify(value[NUMBER_REF])}, which is not a number`);
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return value;
  };
  const result = walk(parsed.value, []);
  const unused = Object.keys(tensors).filter((k) => !used.has(k));
  if (unused.length > 0) fail([unused[0]!], 'is a tensor of the file that the checkpoint metadata does not mention');
  if (!isPlainObject(result)) throw new Error(`loadCheckpoint: ${name}: the checkpoint is not a dictionary`);
  return result;
}

/** Dispose every tensor of a loaded checkpoint (once its parts have been loaded: loadStateDict copies). */
export function disposeCheckpoint(checkpoint: unknown): void {
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (v instanceof Tensor) {
      v.dispose();
      return;
    }
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(checkpoint);
}
