// Mesa allows one GL stack per process under an X display: once Dawn's OpenGL adapter
// (@flint/backend-webgpu) holds GL, a headless-gl context aborts the process with X BadAccess.
// The backend must step aside to webasm in auto mode, and refuse a forced headlessgl clearly.
import { afterEach, describe, expect, it } from 'vitest';
import { createGpujsBackend } from './index.js';

const NATIVE_GL = Symbol.for('@flint/native-gl');
const slot = globalThis as Record<symbol, string | undefined>;

describe('sharing the process with Dawn', () => {
  const display = process.env.DISPLAY;
  const owner = slot[NATIVE_GL];
  afterEach(() => {
    if (display === undefined) delete process.env.DISPLAY;
    else process.env.DISPLAY = display;
    slot[NATIVE_GL] = owner;
  });

  it('auto mode runs webasm when Dawn holds GL under a display, and says why', () => {
    slot[NATIVE_GL] = 'dawn-opengl';
    process.env.DISPLAY = display ?? ':4242';
    const b = createGpujsBackend({ mode: 'auto' });
    try {
      expect(b.engine()).toBe('webasm');
      expect(b.priority()).toBe(10);
    } finally {
      b.destroy();
    }
  });

  it('a forced headlessgl mode is refused with the reason instead of aborting the process', () => {
    slot[NATIVE_GL] = 'dawn-opengl';
    process.env.DISPLAY = display ?? ':4242';
    expect(() => createGpujsBackend({ mode: 'headlessgl' })).toThrow(/Dawn's OpenGL adapter .* already holds GL/);
  });

  it('a headless-gl context claims GL for the process', () => {
    if (display === undefined) return; // no display: gpu.js cannot make a GL context here
    delete slot[NATIVE_GL];
    const b = createGpujsBackend({ mode: 'headlessgl' });
    try {
      expect(b.engine()).toBe('headlessgl');
      expect(slot[NATIVE_GL]).toBe('headless-gl');
    } finally {
      b.destroy();
    }
  });
});
