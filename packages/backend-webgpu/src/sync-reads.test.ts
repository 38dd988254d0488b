// What replaces the three conformance cases vitest.config.ts skips: on WebGPU every synchronous
// readback throws one clear error naming the asynchronous alternative, and the async paths work.
import { beforeAll, describe, expect, it } from 'vitest';
import * as flint from '@flint/core';
import { webgpuBackend } from './index.js';

const device = 'webgpu';
const SYNC_ERROR = /synchronous reads are not possible on WebGPU.*use `await t\.data\(\)`/;

beforeAll(async () => {
  await webgpuBackend.init();
});

describe('synchronous readbacks', () => {
  it('readSync, dataSync, item and tolist throw the error naming await t.data()', () => {
    const t = flint.tensor([1.5, 2], { device });
    expect(() =>
      webgpuBackend.kernels.readSync({ storage: t.ref.storage as never, shape: [2], dtype: 'float32' }),
    ).toThrow(SYNC_ERROR);
    expect(() => t.dataSync()).toThrow(SYNC_ERROR);
    expect(() => t.sum().item()).toThrow(SYNC_ERROR);
    expect(() => t.tolist()).toThrow(SYNC_ERROR);
    t.dispose();
  });

  it('the error names the tensor dtype and shape', () => {
    const t = flint.zeros([2, 3], { device, dtype: 'int32' });
    expect(() => t.dataSync()).toThrow(/int32 tensor of shape \[2, 3\]/);
    t.dispose();
  });

  it('await t.data() reads what was written', async () => {
    const t = flint.tensor([[1, -2, 3]], { device });
    expect(Array.from((await t.mul(2).data()) as Float32Array)).toEqual([2, -4, 6]);
    t.dispose();
  });

  it('serialize (sync) throws, serializeAsync round-trips through deserialize', async () => {
    const w = flint.tensor([[1, 2, 3]], { device });
    const i = flint.tensor([4, 5], { device, dtype: 'int32' });
    expect(() => flint.serialize({ w, i })).toThrow(SYNC_ERROR);
    const bytes = await flint.serializeAsync({ w, i });
    const back = flint.deserialize(bytes, { device });
    expect(Array.from((await back.w!.data()) as Float32Array)).toEqual([1, 2, 3]);
    expect(Array.from((await back.i!.data()) as Int32Array)).toEqual([4, 5]);
    for (const t of [w, i, back.w!, back.i!]) t.dispose();
  });

  it('F.oneHot needs numClasses here (inferring it reads the largest index synchronously)', async () => {
    const idx = flint.tensor([2, 0], { device, dtype: 'int32' });
    expect(() => flint.nn.functional.oneHot(idx)).toThrow(SYNC_ERROR);
    const hot = flint.nn.functional.oneHot(idx, 3);
    expect(Array.from((await hot.data()) as Int32Array)).toEqual([0, 0, 1, 1, 0, 0]);
    idx.dispose();
    hot.dispose();
  });

  it('allclose, equal and repeatInterleave with tensor repeats read synchronously, so they throw here', () => {
    const a = flint.tensor([1, 2], { device });
    const b = flint.tensor([1, 2], { device });
    const repeats = flint.tensor([2, 1], { device, dtype: 'int32' });
    expect(() => a.allclose(b)).toThrow(SYNC_ERROR);
    expect(() => flint.equal(a, b)).toThrow(SYNC_ERROR);
    expect(() => a.repeatInterleave(repeats)).toThrow(SYNC_ERROR);
    for (const t of [a, b, repeats]) t.dispose();
  });

  it('repeatInterleave with a number of repeats needs no read', async () => {
    const a = flint.tensor([1, 2], { device });
    const r = a.repeatInterleave(2);
    expect(Array.from((await r.data()) as Float32Array)).toEqual([1, 1, 2, 2]);
    a.dispose();
    r.dispose();
  });
});
