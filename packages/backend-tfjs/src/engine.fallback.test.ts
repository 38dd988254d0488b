/**
 * When the wasm binaries cannot be loaded (in a browser: not served where tfjs looks), auto
 * selection falls back to tfjs's pure-JS cpu engine loudly: one console.warn with the reason and
 * the fix. setWasmPaths() is validated and refused once the wasm engine started loading.
 */
import { describe, expect, it, vi } from 'vitest';
import { createTfjsBackend, setWasmPaths } from './index.js';

delete process.env.FLINT_TFJS_ENGINE;

describe('wasm fallback', () => {
  it('setWasmPaths checks a per-file map names every binary', () => {
    expect(() => setWasmPaths({ 'tfjs-backend-wasm.wasm': '/a.wasm' } as never)).toThrow(
      'setWasmPaths: no URL given for tfjs-backend-wasm-simd.wasm, tfjs-backend-wasm-threaded-simd.wasm.',
    );
  });

  it('binaries missing: falls back to cpu with one warning naming the reason and setWasmPaths', async () => {
    setWasmPaths('/nonexistent-flint-wasm-dir/');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const b = createTfjsBackend();
      await b.init();
      expect(b.engine()).toBe('cpu');
      const wasm = b.engineInfo()!.fallbacks.find((f) => f.engine === 'wasm');
      expect(wasm?.reason).toMatch(/\S/);
      const messages = warn.mock.calls.map((c) => String(c[0]));
      const loud = messages.filter((m) => m.includes('the wasm engine did not load'));
      expect(loud).toHaveLength(1);
      expect(loud[0]).toMatch(/runs on its pure-JavaScript cpu engine, many times slower/);
    } finally {
      warn.mockRestore();
    }
    expect(() => setWasmPaths('/late/')).toThrow(/called after the tfjs wasm engine started loading/);
  });
});
