/**
 * Auto-init (what core's main entry turns on): registering starts a backend's init at once (an
 * initOnDemand one's on ready()), a
 * pending default refuses to make tensors with an error that says `await ready()`, and ready()
 * waits for every init. Its own file: auto-init cannot be switched off again in a process.
 */
import { describe, expect, it } from 'vitest';
import { ready } from './autoload.js';
import type { Backend, Kernels } from './kernels.js';
import { enableAutoInit, getBackend, isInitialising, listBackends, registerBackend, setBackend } from './registry.js';

function fake(name: string, priority: () => number, extra: Partial<Backend<unknown>> = {}): Backend<unknown> {
  return {
    name,
    packageName: `@test/${name}`,
    kernels: {} as Kernels<unknown>,
    engine: () => 'fake',
    priority,
    memory: () => ({ handles: 0, bytes: 0 }),
    ...extra,
  };
}

/** An init that resolves when the test says so. */
function gate(): { init: () => Promise<void>; open: () => void; calls: () => number } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let calls = 0;
  return {
    init: () => {
      calls++;
      return opened;
    },
    open,
    calls: () => calls,
  };
}

describe('auto-init', () => {
  it('starts init on registration; a pending default says to await ready(); ready() waits for it', async () => {
    enableAutoInit();
    const slow = gate();
    registerBackend(fake('fake-sync', () => 50));
    registerBackend(fake('fake-async', () => 60, { init: slow.init }));
    expect(slow.calls()).toBe(0); // started in a microtask, after the importing module's own code
    await Promise.resolve();
    expect(slow.calls()).toBe(1);
    expect(isInitialising('fake-async')).toBe(true);
    expect(() => getBackend()).toThrow(
      "The default Flint backend 'fake-async' (@test/fake-async) is still initialising (its engine loads asynchronously): `await ready()`",
    );
    // A named lookup (e.g. to call its init) and an explicit choice are allowed while it initialises.
    expect(getBackend('fake-async').name).toBe('fake-async');
    const waiting = ready();
    slow.open();
    const report = await waiting;
    expect(report.failed).toEqual([]);
    expect(slow.calls()).toBe(1); // ready() awaited the init under way, it did not start another
    expect(isInitialising('fake-async')).toBe(false);
    expect(getBackend().name).toBe('fake-async');
    setBackend('fake-sync');
  });

  it('an initOnDemand backend is not initialised on registration or by setBackend; ready() starts it', async () => {
    const lazy = gate();
    registerBackend(fake('fake-on-demand', () => 5, { init: lazy.init, initOnDemand: true }));
    await Promise.resolve();
    await Promise.resolve();
    expect(lazy.calls()).toBe(0);
    expect(isInitialising('fake-on-demand')).toBe(false);
    const waiting = ready();
    await Promise.resolve();
    expect(lazy.calls()).toBe(1);
    lazy.open();
    expect((await waiting).failed).toEqual([]);

    // Choosing it is not initialising it (a direct init() the caller awaited is not the registry's).
    const chosen = gate();
    registerBackend(fake('fake-on-demand-2', () => 5, { init: chosen.init, initOnDemand: true }));
    setBackend('fake-on-demand-2');
    await Promise.resolve();
    expect(chosen.calls()).toBe(0);
    expect(getBackend().name).toBe('fake-on-demand-2');
    const both = ready();
    await Promise.resolve();
    expect(chosen.calls()).toBe(1);
    chosen.open();
    await both;
    setBackend('fake-sync');
  });

  it('initSync() makes a backend usable at once; a failed init is reported by ready() and named', async () => {
    let engineReady = false;
    registerBackend(
      fake('fake-native', () => (engineReady ? 99 : 1), {
        initSync: () => {
          engineReady = true;
          return true;
        },
        init: async () => {
          throw new Error('init() must not run when initSync() succeeded');
        },
      }),
    );
    expect(isInitialising('fake-native')).toBe(false);
    setBackend('fake-native');
    expect(getBackend().name).toBe('fake-native');

    registerBackend(
      fake('fake-broken', () => 1, {
        init: async () => {
          throw new Error('no adapter');
        },
      }),
    );
    const report = await ready();
    expect(report.failed).toContainEqual({ package: '@test/fake-broken', error: 'no adapter' });
    expect(listBackends()).not.toContain('fake-broken');
    expect(() => getBackend('fake-broken')).toThrow(
      /'fake-broken' \(@test\/fake-broken\) failed to initialise.*no adapter/,
    );
  });
});
