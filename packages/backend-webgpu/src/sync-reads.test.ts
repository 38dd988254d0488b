// What replaces the conformance cases vitest.config.ts skips: on WebGPU every synchronous
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

  it('ops with value-dependent output shapes and multinomial read synchronously, so they throw here', () => {
    const x = flint.tensor([0, 2, 2, 1], { device, dtype: 'int32' });
    const p = flint.tensor([0.2, 0.8], { device });
    expect(() => x.nonzero()).toThrow(SYNC_ERROR);
    expect(() => flint.nonzero(x, { asTuple: true })).toThrow(SYNC_ERROR);
    expect(() => flint.argwhere(x)).toThrow(SYNC_ERROR);
    expect(() => x.unique()).toThrow(SYNC_ERROR);
    expect(() => flint.uniqueConsecutive(x, { returnCounts: true })).toThrow(SYNC_ERROR);
    expect(() => x.bincount()).toThrow(SYNC_ERROR);
    expect(() => p.multinomial(1)).toThrow(SYNC_ERROR);
    for (const t of [x, p]) t.dispose();
  });

  it('indexing with a bool mask reads the mask (the output size depends on it), so it throws here', () => {
    const x = flint.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { device },
    );
    const mask = flint.tensor([true, false], { device, dtype: 'bool' });
    expect(() => x.index(mask)).toThrow(SYNC_ERROR);
    expect(() =>
      x.maskedSelect(
        flint.tensor(
          [
            [true, false],
            [false, true],
          ],
          { device, dtype: 'bool' },
        ),
      ),
    ).toThrow(SYNC_ERROR);
    expect(() => flint.indexPut(x, [mask], flint.tensor([5, 6], { device }))).toThrow(SYNC_ERROR);
    for (const t of [x, mask]) t.dispose();
  });

  it('a masked fill through setIndex, and writes through index tensors, run on the device', async () => {
    const x = flint.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { device },
    );
    x.setIndex([flint.tensor([true, false], { device, dtype: 'bool' })], -1);
    x.setIndex([null, flint.tensor([1], { device, dtype: 'int32' })], flint.tensor([[7], [8]], { device }));
    expect(Array.from((await x.data()) as Float32Array)).toEqual([-1, 7, 3, 8]);
    x.dispose();
  });

  it('bincount with a minlength, histc, normal and bernoulli run on the device', async () => {
    const x = flint.tensor([0, 2, 2, 1], { device, dtype: 'int32' });
    const w = flint.tensor([0.5, 1, 2, 4], { device });
    const counts = x.bincount({ minlength: 4 });
    const sums = flint.bincount(x, w, 3);
    const hist = flint.histc(flint.tensor([0, 1, 2, 3, 3], { device }), 3);
    const n = flint.normal(flint.zeros([3], { device }), 0);
    const b = flint.bernoulli(flint.tensor([0, 1, 1], { device }));
    expect(Array.from((await counts.data()) as Int32Array)).toEqual([1, 1, 2, 0]);
    expect(Array.from((await sums.data()) as Float32Array)).toEqual([0.5, 4, 3]);
    expect(Array.from((await hist.data()) as Float32Array)).toEqual([1, 1, 3]);
    expect(Array.from((await n.data()) as Float32Array)).toEqual([0, 0, 0]);
    expect(Array.from((await b.data()) as Float32Array)).toEqual([0, 1, 1]);
    for (const t of [x, w, counts, sums, hist, n, b]) t.dispose();
  });
});
