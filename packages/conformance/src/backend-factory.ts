/** How every suite in this package is handed the backend it runs on. */
import type { Backend } from '@flint/core/backend';

/**
 * Returns the backend (or a promise of it). Generic over the storage type so that a
 * `Backend<GpuStorage>` is accepted as it is: `Backend<S>` is not assignable to `Backend<unknown>`
 * (kernels take `S` as input).
 */
export type BackendFactory<S> = () => Backend<S> | Promise<Backend<S>>;

/**
 * Calls the factory and the backend's `init()`. The suites see the result as `Backend<unknown>`,
 * which is sound for them: they only hand a storage back to the backend that created it.
 */
export async function openBackend<S>(factory: BackendFactory<S>): Promise<Backend<unknown>> {
  const backend = (await factory()) as unknown as Backend<unknown>;
  await backend.init?.();
  return backend;
}
