/**
 * safetensors (https://github.com/huggingface/safetensors) encoding of a state dict, byte for byte
 * what `safetensors.torch.save_file` / `load_file` read and write:
 *
 *   [8 bytes: header length N, unsigned little-endian]
 *   [N bytes: JSON header { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { k: "v" } },
 *             padded with spaces so that the data starts at a multiple of 8]
 *   [data: each tensor's raw little-endian bytes, contiguous row-major; offsets relative to the data start]
 *
 * Written dtypes: F32, I32, BOOL (Flint's dtypes). Read: also F64, F16, BF16 (-> float32), I64
 * (-> int32, range-checked), U8, I8, I16, U16 (-> int32).
 */
import { Tensor } from '../tensor/tensor.js';
import { fromArray } from '../tensor/create.js';
import type { DataArray, DType } from '../backend/kernels.js';
import { formatShape } from '../backend/shape.js';

export type StateDictInput =
  | Readonly<Record<string, Tensor>>
  | ReadonlyMap<string, Tensor>
  | Iterable<readonly [string, Tensor]>;
export type Metadata = Record<string, string>;

export interface LoadOptions {
  /** Backend to upload the tensors to (default: the default backend). */
  device?: string;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const WRITE_DTYPE: Record<DType, string> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };
/** Bytes per element of every dtype the reader accepts. */
const ITEM_SIZE: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U16: 2,
  U8: 1,
  BOOL: 1,
};
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** safetensors' own limit on the header size (100 MB). */
const MAX_HEADER = 100_000_000;

export class SafetensorsError extends Error {
  constructor(
    readonly source: string,
    readonly byteOffset: number,
    message: string,
  ) {
    super(`safetensors: ${source}: ${message} (at byte offset ${byteOffset})`);
    this.name = 'SafetensorsError';
  }
}

function entriesOf(stateDict: StateDictInput): [string, Tensor][] {
  let entries: [string, Tensor][];
  if (stateDict instanceof Map) entries = [...(stateDict as ReadonlyMap<string, Tensor>).entries()];
  else if (Symbol.iterator in (stateDict as object))
    entries = [...(stateDict as Iterable<readonly [string, Tensor]>)].map(([k, v]) => [k, v]);
  else entries = Object.entries(stateDict as Record<string, Tensor>);
  const seen = new Set<string>();
  for (const [name, t] of entries) {
    if (typeof name !== 'string' || name.length === 0)
      throw new Error(`safetensors: tensor names must be non-empty strings, got ${JSON.stringify(name)}`);
    if (name === '__metadata__') throw new Error("safetensors: '__metadata__' is reserved and cannot name a tensor");
    if (seen.has(name)) throw new Error(`safetensors: duplicate tensor name '${name}'`);
    seen.add(name);
    if (!(t instanceof Tensor))
      throw new TypeError(
        `safetensors: '${name}' is not a Tensor (a safetensors file holds tensors only; for optimizer or scheduler state and plain values use saveCheckpoint)`,
      );
    if (t.isDisposed) throw new Error(`safetensors: tensor '${name}' (shape ${formatShape(t.shape)}) was disposed`);
  }
  return entries;
}

function checkMetadata(metadata: Metadata | undefined): void {
  if (metadata === undefined) return;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))
    throw new TypeError('safetensors: metadata must be an object of string values');
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string')
      throw new TypeError(`safetensors: metadata values must be strings, but '${k}' is ${typeof v}`);
  }
}

function itemBytes(t: Tensor): number {
  return t.dtype === 'bool' ? 1 : 4;
}

/** Assemble the file from the tensors' host data (in entry order). */
function encode(entries: [string, Tensor][], datas: DataArray[], metadata: Metadata | undefined): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  entries.forEach(([name, t]) => {
    const nbytes = t.numel * itemBytes(t);
    header[name] = { dtype: WRITE_DTYPE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + nbytes] };
    offset += nbytes;
  });
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  entries.forEach(([name, t], k) => {
    const data = datas[k]!;
    if (data.length !== t.numel)
      throw new Error(
        `safetensors: tensor '${name}' read back ${data.length} values for shape ${formatShape(t.shape)}`,
      );
    if (t.dtype === 'bool') {
      for (let i = 0; i < data.length; i++) out[pos + i] = data[i] ? 1 : 0;
    } else if (HOST_LITTLE_ENDIAN) {
      const src = t.dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data);
      out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), pos);
    } else {
      for (let i = 0; i < data.length; i++) {
        if (t.dtype === 'float32') view.setFloat32(pos + 4 * i, data[i]!, true);
        else view.setInt32(pos + 4 * i, data[i]!, true);
      }
    }
    pos += t.numel * itemBytes(t);
  });
  return out;
}

/**
 * The safetensors bytes of a state dict (reads every tensor with dataSync(): use serializeAsync on a
 * backend that can only read asynchronously). Tensors are written in the state dict's order.
 */
export function serialize(stateDict: StateDictInput, metadata?: Metadata): Uint8Array {
  const entries = entriesOf(stateDict);
  checkMetadata(metadata);
  return encode(
    entries,
    entries.map(([, t]) => t.dataSync()),
    metadata,
  );
}

/** serialize() with asynchronous reads (works on every backend). */
export async function serializeAsync(stateDict: StateDictInput, metadata?: Metadata): Promise<Uint8Array> {
  const entries = entriesOf(stateDict);
  checkMetadata(metadata);
  const datas = await Promise.all(entries.map(([, t]) => t.data()));
  return encode(entries, datas, metadata);
}

// ------------------------------------------------------------------ reading

interface ParsedHeader {
  /** Tensors in data order. */
  tensors: { name: string; entry: HeaderEntry }[];
  metadata: Metadata;
  dataStart: number;
}

function parseHeader(bytes: Uint8Array, source: string): ParsedHeader {
  if (bytes.length < 8)
    throw new SafetensorsError(
      source,
      0,
      `truncated file: ${bytes.length} bytes, too short for the 8-byte header length`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(
      source,
      0,
      `header length ${n64} is larger than the file (${bytes.length} bytes, ${bytes.length - 8} after the length field)`,
    );
  }
  const n = Number(n64);
  if (n > MAX_HEADER) throw new SafetensorsError(source, 0, `header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  const dataStart = 8 + n;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    throw new SafetensorsError(source, 8, `invalid JSON header (${n} bytes): ${(error as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(source, 8, 'invalid JSON header: expected an object');
  }
  let metadata: Metadata = {};
  const tensors: { name: string; entry: HeaderEntry }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (
        raw === null ||
        typeof raw !== 'object' ||
        Array.isArray(raw) ||
        Object.values(raw).some((v) => typeof v !== 'string')
      ) {
        throw new SafetensorsError(source, 8, 'invalid JSON header: __metadata__ must map strings to strings');
      }
      metadata = { ...(raw as Metadata) };
      continue;
    }
    const e = raw as Partial<HeaderEntry> | null;
    if (
      e === null ||
      typeof e !== 'object' ||
      typeof e.dtype !== 'string' ||
      !Array.isArray(e.shape) ||
      !Array.isArray(e.data_offsets)
    ) {
      throw new SafetensorsError(
        source,
        8,
        `invalid JSON header: tensor '${name}' needs dtype, shape and data_offsets`,
      );
    }
    if (!e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(
        source,
        8,
        `invalid JSON header: tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`,
      );
    }
    const [b, end] = e.data_offsets;
    if (e.data_offsets.length !== 2 || !Number.isSafeInteger(b) || !Number.isSafeInteger(end) || b! < 0 || end! < b!) {
      throw new SafetensorsError(
        source,
        8,
        `invalid JSON header: tensor '${name}' has invalid data_offsets ${JSON.stringify(e.data_offsets)}`,
      );
    }
    if (!(e.dtype in ITEM_SIZE)) {
      throw new SafetensorsError(
        source,
        8,
        `tensor '${name}' has unknown or unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(ITEM_SIZE).join(', ')})`,
      );
    }
    tensors.push({ name, entry: e as HeaderEntry });
  }
  const dataLength = bytes.length - dataStart;
  for (const { name, entry } of tensors) {
    const [b, end] = entry.data_offsets;
    if (end > dataLength) {
      throw new SafetensorsError(
        source,
        dataStart + b,
        `data_offsets [${b}, ${end}] of tensor '${name}' are out of range: the data section is ${dataLength} bytes (file offsets ${dataStart}..${bytes.length})`,
      );
    }
    const numel = entry.shape.reduce((a, d) => a * d, 1);
    const expected = numel * ITEM_SIZE[entry.dtype]!;
    if (end - b !== expected) {
      throw new SafetensorsError(
        source,
        dataStart + b,
        `tensor '${name}' has ${end - b} bytes, but dtype ${entry.dtype} and shape ${formatShape(entry.shape)} need ${expected}`,
      );
    }
  }
  // The tensors must tile the data section exactly: no overlap, no gap, nothing left over.
  const sorted = [...tensors].sort(
    (x, y) => x.entry.data_offsets[0] - y.entry.data_offsets[0] || x.entry.data_offsets[1] - y.entry.data_offsets[1],
  );
  let covered = 0;
  let previous = '';
  for (const { name, entry } of sorted) {
    const [b, end] = entry.data_offsets;
    if (b < covered) {
      throw new SafetensorsError(
        source,
        dataStart + b,
        `data_offsets [${b}, ${end}] of tensor '${name}' overlap tensor '${previous}' (which ends at ${covered})`,
      );
    }
    if (b > covered) {
      throw new SafetensorsError(
        source,
        dataStart + covered,
        `data_offsets do not cover the data section: bytes ${covered}..${b} before tensor '${name}' belong to no tensor`,
      );
    }
    covered = end;
    previous = name;
  }
  if (covered !== dataLength) {
    throw new SafetensorsError(
      source,
      dataStart + covered,
      `data_offsets do not cover the data section: ${dataLength - covered} trailing bytes belong to no tensor`,
    );
  }
  return { tensors: sorted, metadata, dataStart };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Decode one tensor's bytes into a Flint dtype's host array. */
function decodeData(
  bytes: Uint8Array,
  begin: number,
  entry: HeaderEntry,
  name: string,
  source: string,
): { data: DataArray; dtype: DType } {
  const numel = entry.shape.reduce((a, d) => a * d, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + begin, numel * ITEM_SIZE[entry.dtype]!);
  switch (entry.dtype) {
    case 'F32': {
      const out = new Float32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getFloat32(4 * i, true);
      return { data: out, dtype: 'float32' };
    }
    case 'F64': {
      const out = new Float32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getFloat64(8 * i, true);
      return { data: out, dtype: 'float32' };
    }
    case 'F16': {
      const out = new Float32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return { data: out, dtype: 'float32' };
    }
    case 'BF16': {
      // bfloat16 is the upper half of a float32.
      const out = new Float32Array(numel);
      const scratch = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < numel; i++) {
        scratch.setUint32(0, view.getUint16(2 * i, true) << 16);
        out[i] = scratch.getFloat32(0);
      }
      return { data: out, dtype: 'float32' };
    }
    case 'I64': {
      const out = new Int32Array(numel);
      for (let i = 0; i < numel; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v < -2147483648n || v > 2147483647n) {
          throw new SafetensorsError(
            source,
            begin + 8 * i,
            `tensor '${name}': I64 value ${v} at element ${i} does not fit in int32`,
          );
        }
        out[i] = Number(v);
      }
      return { data: out, dtype: 'int32' };
    }
    case 'I32': {
      const out = new Int32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getInt32(4 * i, true);
      return { data: out, dtype: 'int32' };
    }
    case 'I16': {
      const out = new Int32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getInt16(2 * i, true);
      return { data: out, dtype: 'int32' };
    }
    case 'U16': {
      const out = new Int32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getUint16(2 * i, true);
      return { data: out, dtype: 'int32' };
    }
    case 'I8': {
      const out = new Int32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getInt8(i);
      return { data: out, dtype: 'int32' };
    }
    case 'U8': {
      const out = new Int32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getUint8(i);
      return { data: out, dtype: 'int32' };
    }
    case 'BOOL': {
      const out = new Uint8Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getUint8(i) !== 0 ? 1 : 0;
      return { data: out, dtype: 'bool' };
    }
    default:
      throw new SafetensorsError(source, 8, `tensor '${name}' has unknown dtype ${entry.dtype}`);
  }
}

/** @internal Shared by deserialize() and load(): `source` names the file in errors. */
export function decodeSafetensors(
  bytes: Uint8Array,
  source: string,
  options: LoadOptions = {},
): Record<string, Tensor> {
  const { tensors, dataStart } = parseHeader(bytes, source);
  // Decode everything first so a bad value uploads nothing.
  const decoded = tensors.map(({ name, entry }) => ({
    name,
    entry,
    ...decodeData(bytes, dataStart + entry.data_offsets[0], entry, name, source),
  }));
  const out: Record<string, Tensor> = {};
  for (const { name, entry, data, dtype } of decoded)
    out[name] = fromArray(data, entry.shape, { dtype, device: options.device });
  return out;
}

/** @internal */
export function decodeMetadata(bytes: Uint8Array, source: string): Metadata {
  return parseHeader(bytes, source).metadata;
}

/** Tensors of a safetensors buffer, keyed by name (in data order), uploaded to `options.device`. */
export function deserialize(bytes: Uint8Array, options: LoadOptions = {}): Record<string, Tensor> {
  return decodeSafetensors(bytes, '<bytes>', options);
}

/** The `__metadata__` of a safetensors buffer ({} when absent); validates the whole header. */
export function deserializeMetadata(bytes: Uint8Array): Metadata {
  return decodeMetadata(bytes, '<bytes>');
}
