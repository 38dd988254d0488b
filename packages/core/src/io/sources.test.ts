/**
 * load/loadAsync/loadMetadata on every source a browser hands out (bytes, ArrayBuffer, a view,
 * Blob, File, fetch Response, http URL) and on file URLs, checked against the same tensors saved
 * to a path; fetch errors name the URL and the status.
 */
import '@flint/backend-cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../index.js';
import { load, loadAsync, loadMetadata, save, serializeAsync } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'flint-io-sources-'));
let bytes: Uint8Array;
let server: Server;
let base: string;

const dict = (): Record<string, Tensor> => ({
  w: tensor([
    [1.5, -2],
    [0.25, 3],
  ]),
  n: tensor([7, -1], { dtype: 'int32' }),
});
const META = { model: 'tiny' };

function expectDict(got: Record<string, Tensor>): void {
  expect(Object.keys(got).sort()).toEqual(['n', 'w']);
  expect(got.w!.shape).toEqual([2, 2]);
  expect(Array.from(got.w!.dataSync())).toEqual([1.5, -2, 0.25, 3]);
  expect(got.n!.dtype).toBe('int32');
  expect(Array.from(got.n!.dataSync())).toEqual([7, -1]);
}

beforeAll(async () => {
  bytes = await serializeAsync(dict(), META);
  await save(dict(), join(dir, 'm.safetensors'), META);
  server = createServer((req, res) => {
    if (req.url === '/m.safetensors') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
    } else {
      res.writeHead(404, 'Not Found');
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('load from bytes and browser sources', () => {
  it('the saved file and the serialized bytes are the same', () => {
    expectDict(load(join(dir, 'm.safetensors')));
    expectDict(load(bytes));
  });

  it('load and loadMetadata take a Uint8Array, an ArrayBuffer or any view', () => {
    const copy = bytes.slice();
    expectDict(load(copy.buffer));
    const padded = new Uint8Array(copy.length + 16);
    padded.set(copy, 8);
    expectDict(load(new DataView(padded.buffer, 8, copy.length)));
    expect(loadMetadata(copy)).toEqual(META);
  });

  it('loadAsync takes a Blob, a File (its name in errors), a Response, a file URL and an http URL', async () => {
    expectDict(await loadAsync(new Blob([bytes.slice()])));
    expectDict(await loadAsync(new File([bytes.slice()], 'picked.safetensors')));
    expectDict(await loadAsync(new Response(bytes.slice())));
    expectDict(await loadAsync(pathToFileURL(join(dir, 'm.safetensors'))));
    expectDict(await loadAsync(new URL(`${base}/m.safetensors`)));
    await expect(loadAsync(new File([bytes.slice(0, 20)], 'cut.safetensors'))).rejects.toThrow(
      /safetensors: cut\.safetensors: .*truncated|safetensors: cut\.safetensors: /,
    );
  });

  it('a failed fetch names the URL and the HTTP status', async () => {
    await expect(loadAsync(new URL(`${base}/missing.safetensors`))).rejects.toThrow(
      `loadAsync: could not fetch ${base}/missing.safetensors: HTTP 404 Not Found`,
    );
    await expect(loadAsync(new URL('http://127.0.0.1:1/x.safetensors'))).rejects.toThrow(
      'loadAsync: could not fetch http://127.0.0.1:1/x.safetensors: fetch failed',
    );
  });
});
