import '@flint/backend-cpu';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { arange, tensor, zeros, type Tensor } from '../index.js';
import {
  SafetensorsError,
  deserialize,
  deserializeMetadata,
  load,
  loadAsync,
  loadMetadata,
  save,
  saveSync,
  serialize,
  serializeAsync,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'flint-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

const values = (t: Tensor): number[] => Array.from(t.dataSync());

/** Must match FLINT_DICT in fixtures/generate.py. */
function flintDict(): Record<string, Tensor> {
  return {
    weight: arange(6).reshape(2, 3).mul(0.5).sub(1),
    bias: tensor([0.1, -0.2]),
    steps: tensor(7, { dtype: 'int32' }),
    labels: tensor([3, -1, 2147483647], { dtype: 'int32' }),
    mask: tensor([[true, false, true]]),
    empty: zeros(0, 2),
    scalar: tensor(2.25),
  };
}
const FLINT_METADATA = { framework: 'flint', note: 'ünïcode ✓' };

function expectSameDict(a: Record<string, Tensor>, b: Record<string, Tensor>): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(b)) {
    expect(a[k]!.shape, k).toEqual(b[k]!.shape);
    expect(a[k]!.dtype, k).toBe(b[k]!.dtype);
    expect(values(a[k]!), k).toEqual(values(b[k]!));
  }
}

/** A safetensors buffer from a header object and data bytes (headerLength overrides the length field). */
function build(header: unknown, data: Uint8Array, headerLength?: bigint, rawHeader?: string): Uint8Array {
  let json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  json = padded;
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors serialize / deserialize', () => {
  it('round-trips float32, int32, bool, 0-d and empty tensors with metadata', async () => {
    const sd = flintDict();
    const bytes = serialize(sd, FLINT_METADATA);
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header.__metadata__).toEqual(FLINT_METADATA);
    expect(header.weight).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.steps).toEqual({ dtype: 'I32', shape: [], data_offsets: [32, 36] });
    expect(header.mask).toEqual({ dtype: 'BOOL', shape: [1, 3], data_offsets: [48, 51] });
    expect(header.empty).toEqual({ dtype: 'F32', shape: [0, 2], data_offsets: [51, 51] });
    expectSameDict(deserialize(bytes), sd);
    expect(deserializeMetadata(bytes)).toEqual(FLINT_METADATA);
    expect(Array.from(await serializeAsync(sd, FLINT_METADATA))).toEqual(Array.from(bytes));
    // A Map and entry lists work too; no metadata means no __metadata__ key.
    const fromMap = serialize(new Map(Object.entries(sd)));
    expect(deserializeMetadata(fromMap)).toEqual({});
    expectSameDict(deserialize(serialize(Object.entries(sd))), sd);
  });

  it('rejects bad input before writing anything', () => {
    const t = tensor([1]);
    t.dispose();
    expect(() => serialize({ w: t })).toThrow("tensor 'w' (shape [1]) was disposed");
    expect(() => serialize({ __metadata__: tensor([1]) })).toThrow("'__metadata__' is reserved");
    expect(() => serialize({ w: tensor([1]) }, { n: 1 as unknown as string })).toThrow(
      "metadata values must be strings, but 'n' is number",
    );
  });

  it('writes the committed Flint fixture byte for byte (python parses it: fixtures/generate.py)', () => {
    const bytes = serialize(flintDict(), FLINT_METADATA);
    if (process.env.FLINT_UPDATE_FIXTURES === '1') writeFileSync(fixture('flint.safetensors'), bytes);
    expect(Buffer.from(bytes).equals(readFileSync(fixture('flint.safetensors')))).toBe(true);
  });

  it('reads a file written from PyTorch: every dtype, converted as documented', () => {
    const expected = JSON.parse(readFileSync(fixture('torch.json'), 'utf8')) as {
      metadata: Record<string, string>;
      tensors: Record<string, { shape: number[]; dtype: string; data: (number | boolean)[] }>;
    };
    const path = fixture('torch.safetensors').pathname;
    const sd = load(path, { device: 'cpu' });
    expect(Object.keys(sd).sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, e] of Object.entries(expected.tensors)) {
      const t = sd[name]!;
      expect(t.device).toBe('cpu');
      expect(t.shape, name).toEqual(e.shape);
      expect(t.dtype, name).toBe(e.dtype);
      expect(values(t), name).toEqual(e.data.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)));
    }
    expect(loadMetadata(path)).toEqual(expected.metadata);
  });
});

describe('safetensors corruption errors name the source and the byte offset', () => {
  const f32 = (n: number) => new Uint8Array(new Float32Array(n).fill(1.5).buffer);
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['truncated file', () => new Uint8Array([1, 0, 0]), /truncated file: 3 bytes.*at byte offset 0/],
    [
      'header length larger than the file',
      () => build({}, new Uint8Array(0), 1000n),
      /header length 1000 is larger than the file \(16 bytes.*at byte offset 0/,
    ],
    [
      'invalid JSON header',
      () => build(null, new Uint8Array(0), undefined, '{"a": [1, 2'),
      /invalid JSON header \(16 bytes\).*at byte offset 8/,
    ],
    [
      'data_offsets out of range',
      () => build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(1)),
      /data_offsets \[0, 8\] of tensor 'a' are out of range: the data section is 4 bytes.*at byte offset/,
    ],
    [
      'overlapping data_offsets',
      () =>
        build(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          f32(2),
        ),
      /data_offsets \[4, 8\] of tensor 'b' overlap tensor 'a'/,
    ],
    [
      'a gap in the data',
      () => build({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(2)),
      /bytes 0\.\.4 before tensor 'a' belong to no tensor/,
    ],
    [
      'trailing bytes',
      () => build({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(3)),
      /8 trailing bytes belong to no tensor/,
    ],
    [
      'byte length not matching dtype and shape',
      () => build({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)),
      /tensor 'a' has 8 bytes, but dtype F32 and shape \[3\] need 12/,
    ],
    [
      'unknown dtype',
      () => build({ a: { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] } }, f32(1)),
      /unknown or unsupported dtype "F8_E4M3"/,
    ],
    [
      'I64 out of int32 range',
      () =>
        build(
          { a: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } },
          new Uint8Array(new BigInt64Array([1n, 1n << 40n]).buffer),
        ),
      // 8 (length) + 56 (header) + 8 (element 0)
      /I64 value 1099511627776 at element 1 does not fit in int32 \(at byte offset 72\)/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => {
      const bytes = make();
      expect(() => deserialize(bytes)).toThrow(SafetensorsError);
      expect(() => deserialize(bytes)).toThrow(message);
      const path = join(dir, `${what.replace(/\W+/g, '-')}.safetensors`);
      writeFileSync(path, bytes);
      expect(() => load(path)).toThrow(`safetensors: ${path}: `);
      expect(() => load(path)).toThrow(message);
    });
  }

  it('reports the exact byte offset of a bad tensor', () => {
    const bytes = build(
      { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 8] } },
      f32(2),
    );
    try {
      deserialize(bytes);
      expect.unreachable();
    } catch (error) {
      const headerEnd = bytes.length - 8;
      expect((error as SafetensorsError).byteOffset).toBe(headerEnd + 4);
    }
  });
});

describe('save / load files', () => {
  const listing = (d: string) => readdirSync(d).sort();

  it('save then load returns the same state dict (async and sync variants)', async () => {
    const sd = flintDict();
    const p = join(dir, 'model.safetensors');
    await save(sd, p, FLINT_METADATA);
    expectSameDict(load(p), sd);
    expectSameDict(await loadAsync(p), sd);
    expect(loadMetadata(p)).toEqual(FLINT_METADATA);
    const q = join(dir, 'model-sync.safetensors');
    saveSync(sd, q);
    expect(readFileSync(q).equals(Buffer.from(serialize(sd)))).toBe(true);
  });

  it('a failed save leaves the old file intact and no temporary file behind', async () => {
    const d = join(dir, 'atomic');
    mkdirSync(d);
    const p = join(d, 'ckpt.safetensors');
    await save({ w: tensor([1, 2, 3]) }, p);
    const before = readFileSync(p);

    // A disposed tensor (a serialisation error).
    const gone = tensor([4]);
    gone.dispose();
    await expect(save({ w: tensor([9, 9, 9]), v: gone }, p)).rejects.toThrow("tensor 'v' (shape [1]) was disposed");
    expect(() => saveSync({ v: gone }, p)).toThrow('was disposed');
    expect(readFileSync(p).equals(before)).toBe(true);
    expect(listing(d)).toEqual(['ckpt.safetensors']);

    // The target is a directory: the temporary file is written, the rename fails, the temp is removed.
    const asDir = join(d, 'taken.safetensors');
    mkdirSync(asDir);
    await expect(save({ w: tensor([1]) }, asDir)).rejects.toThrow(`save: could not write ${asDir}`);
    expect(() => saveSync({ w: tensor([1]) }, asDir)).toThrow(`save: could not write ${asDir}`);
    expect(listing(d)).toEqual(['ckpt.safetensors', 'taken.safetensors']);
    expect(readdirSync(asDir)).toEqual([]);

    // A directory that does not exist.
    const missing = join(d, 'no-such-dir', 'x.safetensors');
    await expect(save({ w: tensor([1]) }, missing)).rejects.toThrow(`save: could not write ${missing}`);
    expect(existsSync(join(d, 'no-such-dir'))).toBe(false);

    // A directory path that cannot be written by anyone (a component is a regular file; unlike
    // permission bits this also holds when the tests run as root).
    const underFile = join(p, 'x.safetensors');
    await expect(save({ w: tensor([1]) }, underFile)).rejects.toThrow(`save: could not write ${underFile}`);
    expect(() => saveSync({ w: tensor([1]) }, underFile)).toThrow(`save: could not write ${underFile}`);

    expect(readFileSync(p).equals(before)).toBe(true);
    expect(values(load(p).w!)).toEqual([1, 2, 3]);
    // And a successful save replaces it.
    await save({ w: tensor([7]) }, p);
    expect(values(load(p).w!)).toEqual([7]);
    expect(listing(d)).toEqual(['ckpt.safetensors', 'taken.safetensors']);
  });

  it('a save removes the temporary files that saves killed mid-write left for the same file', async () => {
    const d = join(dir, 'stale');
    mkdirSync(d);
    const p = join(d, 'checkpoint.safetensors');
    // A process that has exited: its pid is free (a kill -9 during a save leaves such a file).
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const live = process.ppid;
    const stale = [
      `.checkpoint.safetensors.${dead}.0123456789ab.tmp`,
      `.checkpoint.safetensors.${dead}.ba9876543210.tmp`,
    ];
    const kept = [
      `.checkpoint.safetensors.${live}.0123456789ab.tmp`, // another process, still running: may be writing
      `.checkpoint.safetensors.${process.pid}.0123456789ab.tmp`, // this process: a save in flight
      `.model.safetensors.${dead}.0123456789ab.tmp`, // another file's
      '.checkpoint.safetensors.notes.tmp', // not a temporary file name save writes
    ];
    for (const name of [...stale, ...kept]) writeFileSync(join(d, name), 'partial');
    await save({ w: tensor([1]) }, p);
    expect(listing(d)).toEqual(['checkpoint.safetensors', ...kept].sort());
    writeFileSync(join(d, stale[0]!), 'partial');
    saveSync({ w: tensor([2]) }, p);
    expect(listing(d)).toEqual(['checkpoint.safetensors', ...kept].sort());
    expect(values(load(p).w!)).toEqual([2]);
  });
});
