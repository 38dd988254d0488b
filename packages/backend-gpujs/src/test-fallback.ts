// Run by backend.test.ts in a child process with no X display: auto mode must fall back to webasm
// with exactly one console warning (at first use, not at import), report 'webasm' and priority 10.
import { expect, it, vi } from 'vitest';

it('auto mode without GL falls back to webasm with one warning', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const { gpujsBackend, createGpujsBackend } = await import('./index.js');
  const second = createGpujsBackend();
  expect(gpujsBackend.engine()).toBe('webasm');
  expect(second.engine()).toBe('webasm');
  expect(gpujsBackend.priority()).toBe(10);
  const ours = (): unknown[][] => warn.mock.calls.filter((c) => String(c[0]).includes('@flint/backend-gpujs'));
  // Importing (as core's auto-loading does) stays quiet; the first use warns, once.
  expect(ours().length).toBe(0);
  const k = gpujsBackend.kernels;
  const x = k.write(new Float32Array([1, 2, 3]), [3], 'float32');
  const y = k.mul({ storage: x, shape: [3], dtype: 'float32' }, { storage: x, shape: [3], dtype: 'float32' }, [3]);
  expect(Array.from(k.readSync({ storage: y, shape: [3], dtype: 'float32' }))).toEqual([1, 4, 9]);
  k.fill([2], 'float32', 1);
  second.kernels.write(new Float32Array([1]), [1], 'float32');
  expect(ours().length).toBe(1);
  expect(String(ours()[0]![0])).toMatch(/webasm/);
  console.log('fallback-check: engine=webasm, warnings=1');
});
