/**
 * initSync(): in Node an engine with a synchronous factory (here tfjs's cpu engine; tfjs-node's
 * tensorflow engine the same way) is selected at once, so core can make the backend the default
 * right after import. The wasm engine needs async init: initSync() says false and leaves it alone.
 */
import { describe, expect, it } from 'vitest';
import { createTfjsBackend } from './index.js';
import { tf } from './tf.js';

delete process.env.FLINT_TFJS_ENGINE;

describe('tfjs initSync', () => {
  it('auto without the native addon needs wasm: false, nothing selected', () => {
    const b = createTfjsBackend();
    expect(b.initSync()).toBe(false);
    expect(b.engineInfo()).toBeNull();
  });

  it('a forced cpu engine is ready synchronously: kernels run without awaiting anything', () => {
    const b = createTfjsBackend({ engine: 'cpu' });
    expect(b.initSync()).toBe(true);
    expect(b.engine()).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const t = b.kernels.fill([3], 'float32', 2.5);
    const ref = { storage: t, shape: [3], dtype: 'float32' } as const;
    expect(Array.from(b.kernels.readSync(ref) as Float32Array)).toEqual([2.5, 2.5, 2.5]);
    b.kernels.dispose(t);
    // Asking another instance for another engine afterwards is refused, as with init().
    expect(createTfjsBackend({ engine: 'wasm' }).initSync()).toBe(false);
  });
});
