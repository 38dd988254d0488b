import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, Kernels } from './kernels.js';
import { getBackend, initBackends, listBackends, registerBackend, removeBackend, setBackend } from './registry.js';

/** A backend shell for registry tests (no kernel is called). */
function fake(name: string, priority: () => number, init?: () => Promise<void>): Backend<unknown> {
  return {
    name,
    packageName: `@test/${name}`,
    kernels: {} as Kernels<unknown>,
    engine: () => 'fake',
    priority,
    memory: () => ({ handles: 0, bytes: 0 }),
    init,
  };
}

describe('backend registry', () => {
  afterEach(() => {
    for (const n of listBackends()) if (n.startsWith('fake')) removeBackend(n);
  });

  it('asking for a backend that is not installed names the package and lists the installed ones', () => {
    registerBackend(fake('fake-a', () => 1));
    expect(() => getBackend('gpujs')).toThrow(
      /Backend 'gpujs' is not available: install it with `pnpm add @flint\/backend-gpujs`.*Installed backends: .*fake-a/,
    );
    expect(() => setBackend('nope')).toThrow(/Backend 'nope' is not available/);
    expect(() => getBackend('webgpu')).toThrow(/install it with `pnpm add @flint\/backend-webgpu`/);
  });

  it('re-ranks after init: a backend that learns its engine at init can win', async () => {
    let ready = false;
    registerBackend(fake('fake-low', () => 40));
    registerBackend(
      fake(
        'fake-late',
        () => (ready ? 95 : 5),
        async () => {
          ready = true;
        },
      ),
    );
    await initBackends();
    expect(getBackend().name).toBe('fake-late');
  });

  it('once the default device was used, a backend that ranks higher later does not take over', async () => {
    let ready = false;
    registerBackend(fake('fake-first', () => 60));
    expect(getBackend().name).toBe('fake-first'); // a tensor would be made here
    registerBackend(fake('fake-higher', () => 70));
    registerBackend(
      fake(
        'fake-later',
        () => (ready ? 95 : 5),
        async () => {
          ready = true;
        },
      ),
    );
    await initBackends();
    expect(getBackend().name).toBe('fake-first');
    setBackend('fake-later'); // an explicit choice still works
    expect(getBackend().name).toBe('fake-later');
    removeBackend('fake-later'); // removing the default unlocks and re-ranks
    expect(getBackend().name).toBe('fake-higher');
  });

  it('a backend whose init fails is dropped and reported', async () => {
    registerBackend(
      fake(
        'fake-broken',
        () => 99,
        async () => {
          throw new Error('no GL context');
        },
      ),
    );
    const failed = await initBackends();
    expect(failed).toEqual([{ name: 'fake-broken', error: 'no GL context' }]);
    expect(listBackends()).not.toContain('fake-broken');
    expect(() => getBackend('fake-broken')).toThrow(
      "Backend 'fake-broken' (@test/fake-broken) failed to initialise and was dropped: no GL context.",
    );
  });
});
