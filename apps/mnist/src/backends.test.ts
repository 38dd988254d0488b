import { describe, expect, it } from 'vitest';
import { hasBackend } from '@flint/core';
import { CliError } from './errors.js';
import { ensureBackend, resolveBackends } from './backends.js';

describe('backends', () => {
  it('a backend whose package is not installed is an error naming the package (exit code 2)', async () => {
    expect(hasBackend('gpujs')).toBe(false);
    const missing = (pkg: string) => Promise.reject(new Error(`Cannot find package '${pkg}' imported from /somewhere`));
    const error = await ensureBackend('gpujs', missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).toContain('@flint/backend-gpujs');
    expect((error as CliError).message).toContain('pnpm add @flint/backend-gpujs');
  });

  it('an unknown backend name lists the valid ones', async () => {
    await expect(ensureBackend('cuda')).rejects.toThrow('valid backends: cpu, gpujs, tfjs, webgpu, all');
  });

  it('loads and initialises a known backend; all = cpu first, then the others', async () => {
    await ensureBackend('cpu');
    expect(hasBackend('cpu')).toBe(true);
    const all = await resolveBackends('all');
    expect(all[0]).toBe('cpu');
  });
});
