// The backend object: engine selection, priority, kernel cache, readbacks, memory, device residency.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Texture } from 'gpu.js';
import { getBackend, type TensorRef } from '@flint/core/backend';
import { createGpujsBackend, gpujsBackend, type GpuStorage } from './index.js';
import { checkPrecision } from './context.js';
import { parseMode } from './engine.js';

type R = TensorRef<GpuStorage>;
const ref = (storage: GpuStorage, shape: number[], dtype: R['dtype'] = 'float32'): R => ({ storage, shape, dtype });

describe('engine selection', () => {
  it('the default instance runs on headless-gl under xvfb (or the forced mode) and is registered as gpujs', () => {
    console.log(
      `gpujs default engine: ${gpujsBackend.engine()} (renderer: ${gpujsBackend.renderer() ?? 'not reported'})`,
    );
    const forced = process.env.FLINT_GPUJS_MODE;
    const expected = forced === undefined || forced === '' || forced === 'auto' ? 'headlessgl' : forced;
    expect(gpujsBackend.engine()).toBe(expected);
    expect(gpujsBackend.priority()).toBe(expected === 'webasm' || expected === 'cpu' ? 10 : 80);
    expect(gpujsBackend.name).toBe('gpujs');
    expect(gpujsBackend.packageName).toBe('@flint/backend-gpujs');
    expect(getBackend('gpujs')).toBe(gpujsBackend);
  });

  it('a forced mode reports what gpu.js really built', () => {
    const wasm = createGpujsBackend({ mode: 'webasm' });
    expect(wasm.engine()).toBe('webasm');
    expect(wasm.priority()).toBe(10);
    const cpu = createGpujsBackend({ mode: 'cpu' });
    expect(cpu.engine()).toBe('cpu');
    expect(cpu.priority()).toBe(10);
    wasm.destroy();
    cpu.destroy();
  });

  it('FLINT_GPUJS_MODE values are parsed strictly; webgpu is refused with the reason', () => {
    expect(parseMode(undefined)).toBe('auto');
    expect(parseMode('webasm')).toBe('webasm');
    expect(() => parseMode('webgpu')).toThrow(/Promises/);
    expect(() => parseMode('fast')).toThrow(/unknown mode 'fast'/);
  });

  it('an engine offering only 8-bit packed precision is refused unless the user opts in', () => {
    expect(() => checkPrecision('webgl', 'unsigned', false)).toThrow(/allowUnsignedPrecision/);
    expect(() => checkPrecision('webgl', 'unsigned', true)).not.toThrow();
    expect(() => checkPrecision('headlessgl', 'single', false)).not.toThrow();
  });

  it('without an X display, auto mode falls back to webasm with one warning (child process)', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.FLINT_GPUJS_MODE;
    const r = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.fallback.config.ts'], {
      cwd,
      env,
      encoding: 'utf8',
    });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out, out).toMatch(/fallback-check: engine=webasm, warnings=1/);
    expect(r.status, out).toBe(0);
  });
});

describe('device residency, cache, readbacks and memory (headless-gl)', () => {
  const b = createGpujsBackend({ mode: 'auto' });
  const k = b.kernels;
  afterAll(() => b.destroy());

  it('kernel outputs are gpu.js textures (data stays on the device)', () => {
    const x = k.write(new Float32Array([1, 2, 3, 4]), [4], 'float32');
    const y = k.exp(ref(x, [4]));
    expect(x.data).toBeInstanceOf(Texture);
    expect(y.data).toBeInstanceOf(Texture);
    k.dispose(x);
    k.dispose(y);
  });

  it('repeating an op with the same shapes compiles nothing new; a new shape compiles once', () => {
    const a = k.write(new Float32Array(12).fill(1), [3, 4], 'float32');
    const bias = k.write(new Float32Array(4).fill(2), [4], 'float32');
    const run = () => {
      const s = k.add(ref(a, [3, 4]), ref(bias, [4]), [3, 4]);
      const m = k.matmul(ref(s, [3, 4]), ref(a, [3, 4]), false, true, [3, 3]);
      const r = k.sum(ref(m, [3, 3]), [1]);
      k.dispose(s);
      k.dispose(m);
      k.dispose(r);
    };
    run();
    const compiled = b.stats().compilations;
    for (let i = 0; i < 5; i++) run();
    expect(b.stats().compilations).toBe(compiled);
    const c = k.write(new Float32Array(10).fill(1), [2, 5], 'float32');
    const e1 = k.exp(ref(c, [2, 5]));
    const after = b.stats().compilations;
    const e2 = k.exp(ref(c, [2, 5]));
    expect(b.stats().compilations).toBe(after);
    // fill's value is a uniform: new values compile nothing.
    const f1 = k.fill([7], 'float32', 1);
    const mid = b.stats().compilations;
    const f2 = k.fill([7], 'float32', -3.5);
    expect(b.stats().compilations).toBe(mid);
    expect(Array.from(k.readSync(ref(f2, [7])))).toEqual(new Array(7).fill(-3.5));
    for (const s of [a, bias, c, e1, e2, f1, f2]) k.dispose(s);
  });

  it('the LRU is bounded and evicting a kernel leaves its results readable', () => {
    const small = createGpujsBackend({ mode: 'auto', cacheSize: 2 });
    const sk = small.kernels;
    const x = sk.write(new Float32Array([1, 2]), [2], 'float32');
    const outs = [sk.neg(ref(x, [2])), sk.abs(ref(x, [2])), sk.square!(ref(x, [2])), sk.exp(ref(x, [2]))];
    expect(small.stats().cachedKernels).toBe(2);
    expect(small.stats().evictions).toBeGreaterThan(0);
    expect(Array.from(sk.readSync(ref(outs[0]!, [2])))).toEqual([-1, -2]);
    expect(Array.from(sk.readSync(ref(outs[2]!, [2])))).toEqual([1, 4]);
    // An evicted kernel's output still works as an input, and frees cleanly.
    const sum = sk.add(ref(outs[0]!, [2]), ref(outs[1]!, [2]), [2]);
    expect(Array.from(sk.readSync(ref(sum, [2])))).toEqual([0, 0]);
    for (const o of [...outs, sum, x]) sk.dispose(o);
    expect(small.memory()).toEqual({ handles: 0, bytes: 0 });
    small.destroy();
  });

  it('a forward/backward-like sequence reads back only what is asked for', () => {
    // Count at gpu.js's level: every texture-to-host transfer goes through Texture#toArray.
    const proto = Object.getPrototypeOf(k.write(new Float32Array(1), [1], 'float32').data) as {
      toArray: () => unknown;
    };
    const original = proto.toArray;
    let transfers = 0;
    proto.toArray = function (this: unknown) {
      transfers++;
      return original.call(this);
    };
    let reads = 0;
    const read = k.read;
    const readSync = k.readSync;
    const counted = {
      read: (x: R) => {
        reads++;
        return read(x);
      },
      readSync: (x: R) => {
        reads++;
        return readSync(x);
      },
    };
    try {
      const X = k.write(
        new Float32Array(8 * 6).map((_, i) => Math.sin(i)),
        [8, 6],
        'float32',
      );
      const W = k.write(
        new Float32Array(4 * 6).map((_, i) => Math.cos(i) * 0.3),
        [4, 6],
        'float32',
      );
      const B = k.write(new Float32Array(4).fill(0.1), [4], 'float32');
      const labels = k.write(Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]), [8], 'int32');
      const before = transfers;
      const h = k.matmul(ref(X, [8, 6]), ref(W, [4, 6]), false, true, [8, 4]);
      const z = k.add(ref(h, [8, 4]), ref(B, [4]), [8, 4]);
      const a = k.relu(ref(z, [8, 4]));
      const mx = k.max(ref(a, [8, 4]), [1]);
      const sh = k.sub(ref(a, [8, 4]), ref(mx, [8, 1]), [8, 4]);
      const ex = k.exp(ref(sh, [8, 4]));
      const se = k.sum(ref(ex, [8, 4]), [1]);
      const lse = k.log(ref(se, [8]));
      const lab = k.cast(ref(labels, [8], 'int32'), 'int32');
      const picked = k.gather(ref(sh, [8, 4]), 1, ref(k.expand(ref(lab, [8], 'int32'), [8]), [8, 1], 'int32'));
      const nll = k.sub(ref(lse, [8, 1]), ref(picked, [8, 1]), [8, 1]);
      const loss = k.sum(ref(nll, [8, 1]), [0, 1]);
      const oh = k.oneHot!(ref(labels, [8], 'int32'), 4, 'float32');
      const dW = k.matmul(ref(oh, [8, 4]), ref(X, [8, 6]), true, false, [4, 6]);
      expect(transfers).toBe(before); // nothing came back to the host between the first layer and the loss
      const value = counted.readSync(ref(loss, []));
      expect(value.length).toBe(1);
      expect(Number.isFinite(value[0]!)).toBe(true);
      expect(transfers).toBe(before + 1);
      expect(reads).toBe(1);
      expect(b.stats().readbacks).toBeGreaterThanOrEqual(1);
      for (const s of [X, W, B, labels, h, z, a, mx, sh, ex, se, lse, lab, picked, nll, loss, oh, dW]) k.dispose(s);
    } finally {
      proto.toArray = original;
    }
  });

  it('memory() counts live textures and bytes; dispose frees; repeated steps do not grow it', () => {
    const start = b.memory();
    const x = k.write(new Float32Array(100), [10, 10], 'float32');
    const m1 = b.memory();
    expect(m1.handles).toBe(start.handles + 1);
    expect(m1.bytes).toBeGreaterThanOrEqual(start.bytes + 100 * 4);
    const step = () => {
      const y = k.matmul(ref(x, [10, 10]), ref(x, [10, 10]), false, false, [10, 10]);
      const t = k.tanh(ref(y, [10, 10]));
      const s = k.sum(ref(t, [10, 10]), [0, 1]);
      k.dispose(y);
      k.dispose(t);
      k.dispose(s);
    };
    step();
    const steady = b.memory();
    for (let i = 0; i < 5; i++) step();
    expect(b.memory()).toEqual(steady);
    k.dispose(x);
    k.dispose(x); // idempotent
    expect(b.memory()).toEqual(start);
  });

  it('int32 and bool round-trip through float storage (exact below 2^24)', () => {
    const i = k.write(Int32Array.from([0, -5, 16777215, -16777215]), [4], 'int32');
    expect(Array.from(k.readSync(ref(i, [4], 'int32')))).toEqual([0, -5, 16777215, -16777215]);
    const bl = k.write(Uint8Array.from([1, 0, 1]), [3], 'bool');
    const r = k.readSync(ref(bl, [3], 'bool'));
    expect(r).toBeInstanceOf(Uint8Array);
    expect(Array.from(r)).toEqual([1, 0, 1]);
    k.dispose(i);
    k.dispose(bl);
  });
});
