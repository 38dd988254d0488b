/**
 * `@flint/core/backend`: what a backend package needs from core — the kernel contract (types), the
 * registry, and pure shape helpers. It has no top-level await, so a backend can import it while
 * core's main entry is still auto-loading installed backends.
 */
export type * from './kernels.js';
export {
  registerBackend,
  removeBackend,
  initBackends,
  getBackend,
  setBackend,
  listBackends,
  hasBackend,
  KNOWN_BACKEND_PACKAGES,
} from './registry.js';
export * from './shape.js';
