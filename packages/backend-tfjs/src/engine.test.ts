/**
 * Engine selection and registration of the default instance, with FLINT_TFJS_ENGINE unset: auto
 * selection tries tfjs-node first (here its native binding is missing), then picks wasm.
 */
import { describe, expect, it } from 'vitest';
import { getBackend, hasBackend, listBackends } from '@flint/core/backend';
import { createTfjsBackend, tfjsBackend } from './index.js';
import { tf } from './tf.js';
import { hasKernel } from './util.js';

delete process.env.FLINT_TFJS_ENGINE;

describe('the default tfjs backend', () => {
  it('registers itself on import as the tfjs device', () => {
    expect(hasBackend('tfjs')).toBe(true);
    expect(listBackends()).toContain('tfjs');
    expect(getBackend('tfjs')).toBe(tfjsBackend);
    expect(tfjsBackend.name).toBe('tfjs');
    expect(tfjsBackend.packageName).toBe('@flint/backend-tfjs');
  });

  it('refuses kernel calls before init with a clear error', () => {
    expect(tfjsBackend.engineInfo()).toBeNull();
    expect(() => tfjsBackend.kernels.fill([2], 'float32', 1)).toThrow(/not initialised yet.*`await ready\(\)`/);
  });

  it('before init, reports the engine it expects (no native addon here: wasm, priority 30)', () => {
    expect(tfjsBackend.engine()).toBe('wasm');
    expect(tfjsBackend.priority()).toBe(30);
  });

  it('init is idempotent and concurrent inits share one load', async () => {
    await Promise.all([tfjsBackend.init(), tfjsBackend.init(), createTfjsBackend().init()]);
    await tfjsBackend.init();
    const info = tfjsBackend.engineInfo()!;
    console.log(
      `tfjs auto-selected engine: ${info.engine} (simd ${info.simd}, threads ${info.threads}); fallbacks: ${JSON.stringify(info.fallbacks)}`,
    );
    expect(info.engine).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tfjsBackend.engine()).toBe('wasm');
    expect(tfjsBackend.priority()).toBe(30);
  });

  it('auto selection recorded why tfjs-node did not load: its native binding is missing', () => {
    const fallbacks = tfjsBackend.engineInfo()!.fallbacks;
    expect(fallbacks.map((f) => f.engine)).toEqual(['tensorflow']);
    expect(fallbacks[0]!.reason).toMatch(/tfjs_binding\.node\) can not be found/);
  });

  it('the wasm engine lacks Conv2DBackpropFilter, so the composed weight gradient is what runs', () => {
    expect(hasKernel('Conv2DBackpropFilter')).toBe(false);
    expect(hasKernel('Conv2D')).toBe(true);
  });

  it('one tfjs engine per process: asking for another engine afterwards fails clearly', async () => {
    await expect(createTfjsBackend({ engine: 'cpu' }).init()).rejects.toThrow(/one engine per process.*'wasm'.*'cpu'/);
    await expect(createTfjsBackend({ engine: 'wasm' }).init()).resolves.toBeUndefined();
  });

  it('memory() reports tf.memory() tensors and bytes', () => {
    const before = tfjsBackend.memory();
    const t = tfjsBackend.kernels.fill([10], 'float32', 2);
    expect(tfjsBackend.memory()).toEqual({ handles: before.handles + 1, bytes: before.bytes + 40 });
    tfjsBackend.kernels.dispose(t);
    expect(tfjsBackend.memory()).toEqual(before);
  });
});
