/** FLINT_TFJS_ENGINE forces an engine; a forced engine that cannot load is an error, not a fallback. */
import { describe, expect, it } from 'vitest';
import { createTfjsBackend } from './index.js';
import { tf } from './tf.js';

describe('FLINT_TFJS_ENGINE', () => {
  it('rejects a value that is not an engine', () => {
    process.env.FLINT_TFJS_ENGINE = 'webgpu';
    expect(() => createTfjsBackend().engine()).toThrow(
      /FLINT_TFJS_ENGINE='webgpu' is not a tfjs engine: use one of tensorflow, webgl, wasm, cpu/,
    );
  });

  it('forcing tensorflow without the native addon fails with the reason, without falling back', async () => {
    process.env.FLINT_TFJS_ENGINE = 'tensorflow';
    const b = createTfjsBackend();
    expect(b.engine()).toBe('tensorflow');
    expect(b.priority()).toBe(100);
    await expect(b.init()).rejects.toThrow(
      /The tfjs engine 'tensorflow' was requested but cannot be loaded: .*tfjs_binding\.node/,
    );
    expect(b.engineInfo()).toBeNull();
  });

  it('forcing cpu selects tfjs cpu (priority 20)', async () => {
    process.env.FLINT_TFJS_ENGINE = 'cpu';
    const b = createTfjsBackend();
    await b.init();
    expect(b.engine()).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(b.priority()).toBe(20);
    expect(b.engineInfo()!.fallbacks).toEqual([]);
    delete process.env.FLINT_TFJS_ENGINE;
  });

  it('an explicit engine option wins over the environment', async () => {
    process.env.FLINT_TFJS_ENGINE = 'wasm';
    await expect(createTfjsBackend({ engine: 'cpu' }).init()).resolves.toBeUndefined();
    delete process.env.FLINT_TFJS_ENGINE;
  });
});
