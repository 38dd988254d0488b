// Mesa allows one GL stack per process under an X display: when headless-gl (gpu.js) holds GL,
// the auto adapter order must not open Dawn's OpenGL adapter (it fails with EGL_BAD_ACCESS, and the
// reverse order aborts the process), and should reach SwiftShader's Vulkan instead.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { openDevice } from './adapter.js';

const NATIVE_GL = Symbol.for('@flint/native-gl');
const slot = globalThis as Record<symbol, string | undefined>;
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

describe('sharing the process with headless-gl', () => {
  const display = process.env.DISPLAY;
  const owner = slot[NATIVE_GL];
  afterEach(() => {
    if (display === undefined) delete process.env.DISPLAY;
    else process.env.DISPLAY = display;
    slot[NATIVE_GL] = owner;
  });

  it('skips the OpenGL adapter when headless-gl holds GL under a display, and does not touch VK_ICD_FILENAMES', async () => {
    slot[NATIVE_GL] = 'headless-gl';
    process.env.DISPLAY = ':4242';
    const icdBefore = process.env.VK_ICD_FILENAMES;
    if (icdBefore === undefined && existsSync(SWIFTSHADER)) {
      const opened = await openDevice({ dawnBackend: 'auto' });
      try {
        // 'dawn' is a real GPU found first; without one, SwiftShader.
        expect(['dawn', 'dawn-swiftshader']).toContain(opened.description.via);
        if (opened.description.via === 'dawn-swiftshader') {
          expect(opened.description.description.toLowerCase()).toContain('swiftshader');
          expect(opened.description.software).toBe(true);
        }
      } finally {
        opened.device.destroy();
      }
    } else if (icdBefore === undefined) {
      await expect(openDevice({ dawnBackend: 'auto' })).rejects.toThrow(/headless-gl .* holds GL under the X display/);
    }
    expect(process.env.VK_ICD_FILENAMES).toBe(icdBefore);
  });

  it('claims GL for Dawn when it opens the OpenGL adapter, so gpu.js can step aside', async () => {
    delete slot[NATIVE_GL];
    delete process.env.DISPLAY;
    const opened = await openDevice({ dawnBackend: 'opengl' });
    try {
      expect(opened.description.via).toBe('dawn-opengl');
      expect(slot[NATIVE_GL]).toBe('dawn-opengl');
    } finally {
      opened.device.destroy();
    }
  });
});
